from __future__ import annotations

from beststart.audit.forms import AuditQueryForm


def _dates(start: tuple[str, str, str], end: tuple[str, str, str]) -> dict[str, str]:
    data = {}
    for name, (day, month, year) in (("date_from", start), ("date_to", end)):
        data |= {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}
    return data


def test_every_filter_is_optional() -> None:
    form = AuditQueryForm({})
    assert form.is_valid()
    assert form.cleaned_data == {
        "person_id": None,
        "family_id": None,
        "username": "",
        "date_from": None,
        "date_to": None,
    }


def test_the_to_date_must_not_be_before_the_from_date() -> None:
    form = AuditQueryForm(_dates(("2", "3", "2026"), ("1", "3", "2026")))
    assert not form.is_valid()
    assert form.errors["date_to"] == ["To date must be the same as or after the from date"]
    assert AuditQueryForm(_dates(("2", "3", "2026"), ("2", "3", "2026"))).is_valid()


def test_ids_must_be_positive_whole_numbers_and_dates_real() -> None:
    form = AuditQueryForm(
        {"person_id": "0", "family_id": "abc", **_dates(("31", "2", "2026"), ("", "", ""))}
    )
    assert not form.is_valid()
    assert set(form.errors) == {"person_id", "family_id", "date_from"}
    assert form.errors["date_from"] == ["From date must be a real date"]
