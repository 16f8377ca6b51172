from django.http import HttpRequest

from clinic_portal.clinic import clinic_details


def clinic(request: HttpRequest) -> dict[str, str]:
    """The clinic's name and numbers, shown in the header, footer and every emergency message."""
    return clinic_details()
