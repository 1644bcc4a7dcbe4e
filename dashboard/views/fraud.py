"""The fraud page: the shared domain layout, parameterised by the fraud world."""

from dashboard.domain_page import render_domain_page

render_domain_page("fraud")
