"""The domain page's tabs, one module each: ``tradeoff``, ``suggest`` (Suggest a policy),
``over_time``, ``segments`` and ``data``. Each has a ``draw`` function; ``dashboard.domain_page``
composes them."""
