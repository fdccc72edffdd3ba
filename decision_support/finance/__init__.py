"""Financing: mechanisms, a city's fiscal profile and the finance engine (pure).

Modules
- ``mechanisms``: shipped catalogue (``load_mechanisms``), city settings
  (``apply_city_settings``, ``load_city_mechanisms``), ``Mechanism`` dataclass.
- ``overrides_xlsx``: city settings as a spreadsheet (``write_overrides_xlsx`` /
  ``read_overrides_xlsx``).
- ``fiscal``: ``FiscalProfile``, ``DebtRules``, presets, headroom, borrowing capacity.
- ``schedules``: loan and bond schedules, ``debt_service_per_unit`` for the optimiser.
- ``metrics``: NPV, EAC, IRR, payback, DSCR, grant lag, EPC and availability payments.
- ``funding_mix``: ``ProjectFinanceInput`` + mix → cash flows and rule checks.
"""
