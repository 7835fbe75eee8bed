from __future__ import annotations

import pytest

from beststart.places.selectors import find_postcode
from beststart.places.tests.factories import PostcodeFactory

pytestmark = pytest.mark.django_db


def test_find_postcode_as_typed_with_its_geography() -> None:
    postcode = PostcodeFactory(postcode="XW3 4AB")
    found = find_postcode(" xw34ab ")
    assert found == postcode
    assert found.lsoa.ward.locality == postcode.lsoa.ward.locality
    assert found.lsoa.reach_area.locality == postcode.lsoa.ward.locality


def test_an_unknown_or_malformed_postcode_is_none() -> None:
    PostcodeFactory(postcode="XW3 4AB")
    assert find_postcode("XW3 4AD") is None
    assert find_postcode("nonsense") is None
    assert find_postcode("") is None
