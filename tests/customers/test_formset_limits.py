"""A forged formset count cannot tie up a worker: the contract form builds at most 30 lines and
60 instalments whatever TOTAL_FORMS says, and request bodies are capped to what real forms
need (file uploads for the lead import excepted)."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.forms import ContractLineFormSet, InstalmentFormSet
from customers.models import Contract

from .factories import CustomerFactory, ProductFactory
from .test_views import contract_post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("prefix", "cap"), [("lines", 30), ("plan", 60)])
@pytest.mark.parametrize("count", ["1001", "5000"])
def test_a_forged_form_count_builds_at_most_the_cap(rep, login, prefix, cap, count):
    customer = CustomerFactory(owner=rep)
    client = login(rep)
    response = client.post(
        f"/customers/{customer.pk}/contracts/new/",
        contract_post(ProductFactory(), **{f"{prefix}-TOTAL_FORMS": count}),
    )
    assert response.status_code == 200
    formset = response.context[prefix]
    assert len(formset.forms) <= cap
    assert formset.non_form_errors() == [f"请最多提交 {cap} 个表单。"]
    assert Contract.objects.count() == 0


def test_contract_formsets_allow_thirty_lines_and_sixty_instalments():
    assert (ContractLineFormSet.max_num, ContractLineFormSet.absolute_max) == (30, 30)
    assert (InstalmentFormSet.max_num, InstalmentFormSet.absolute_max) == (60, 60)
    assert ContractLineFormSet.validate_max and InstalmentFormSet.validate_max


def test_request_limits_are_set_to_what_the_forms_need():
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 1000
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 1024 * 1024


def test_a_post_with_too_many_fields_is_a_bad_request(rep, login):
    customer = CustomerFactory(owner=rep)
    data = contract_post(ProductFactory())
    data.update({f"junk-{n}": "x" for n in range(1001)})
    response = login(rep).post(f"/customers/{customer.pk}/contracts/new/", data)
    assert response.status_code == 400
    assert Contract.objects.count() == 0


def test_a_post_body_above_one_megabyte_is_a_bad_request(rep, login):
    customer = CustomerFactory(owner=rep)
    data = contract_post(ProductFactory(), training_content="课" * 400_000)
    response = login(rep).post(f"/customers/{customer.pk}/contracts/new/", data)
    assert response.status_code == 400
    assert Contract.objects.count() == 0


def test_a_lead_import_file_above_the_body_limit_still_uploads(manager, login):
    """The file of a multipart upload is not counted against DATA_UPLOAD_MAX_MEMORY_SIZE: a
    1.2 MB file (the import takes up to 20 MB) reaches the preview."""
    header = "姓名,手机,备注\n"
    rows = "".join(f"学员{n},139{n:08d},{'x' * 1000}\n" for n in range(1200))
    content = (header + rows).encode("utf-8")
    assert len(content) > 1024 * 1024
    upload = SimpleUploadedFile("leads.csv", content, content_type="text/csv")
    response = login(manager).post("/leads/import/", {"file": upload})
    assert response.status_code == 200
    assert response.context["report"] is not None
