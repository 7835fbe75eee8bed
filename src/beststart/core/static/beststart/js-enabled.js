// GOV.UK Frontend's components style themselves for JavaScript only when this class is set.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
