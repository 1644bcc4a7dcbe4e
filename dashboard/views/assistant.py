"""The support-assistant page: the shared domain layout, parameterised by the assistant world."""

from dashboard.domain_page import render_domain_page

render_domain_page("assistant")
