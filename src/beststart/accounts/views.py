"""Signing in and out."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator

from beststart.accounts.forms import SignInForm
from beststart.sharing.decorators import no_personal_data


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


sign_in = login_not_required(SignInView.as_view())
sign_out = no_personal_data(auth_views.LogoutView.as_view())
