"""`python -m wecom_contacts.cli`: the same as the `wecom-contacts` command."""

from . import main

main()
