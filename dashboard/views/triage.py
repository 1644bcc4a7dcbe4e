"""The triage page: the shared domain layout, parameterised by the triage world."""

from dashboard.domain_page import render_domain_page

render_domain_page("triage")
