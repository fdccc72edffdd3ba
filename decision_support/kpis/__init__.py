"""U4SSC KPIs: the catalogue, targets, scoring and the value files a city imports."""
