"""The recommendation page: the shared domain layout, parameterised by the recommendation world."""

from dashboard.domain_page import render_domain_page

render_domain_page("recommendation")
