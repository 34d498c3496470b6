"""The governance pages' forms (core.forms.BootstrapForm), one module per sub-domain."""
