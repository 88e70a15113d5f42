import pytest
from django.core.exceptions import ValidationError

from cases.validators import bsn_is_valid, mask_bsn, normalize_bsn, validate_bsn


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999999990"])
def test_valid_bsn_passes_elfproef(bsn):
    assert bsn_is_valid(bsn)
    validate_bsn(bsn)


@pytest.mark.parametrize("bsn", ["111222334", "123456789", "000000000"])
def test_invalid_bsn_fails_elfproef(bsn):
    assert not bsn_is_valid(bsn)
    with pytest.raises(ValidationError, match="elfproef") as exc:
        validate_bsn(bsn)
    assert exc.value.code == "bsn_elfproef"


@pytest.mark.parametrize("bsn", ["1234567", "1234567890", "12"])
def test_bsn_of_wrong_length_says_so(bsn):
    with pytest.raises(ValidationError) as exc:
        validate_bsn(bsn)
    assert exc.value.code == "bsn_length"


def test_bsn_with_letters_is_rejected():
    with pytest.raises(ValidationError) as exc:
        validate_bsn("12345678a")
    assert exc.value.code == "bsn_not_digits"


def test_bsn_formatting_is_tolerated():
    assert normalize_bsn("1112.22.333") == "111222333"
    assert normalize_bsn("12345678") == "012345678"
    validate_bsn("111 222 333")


def test_bsn_is_masked_to_last_three_digits():
    assert mask_bsn("111222333") == "******333"
    assert mask_bsn("") == ""
