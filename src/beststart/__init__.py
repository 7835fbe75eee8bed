"""Best Start: one shared family record for early childhood services, pregnancy to five."""
