"""What crossdock costs to run: published prices, the billing arithmetic, and a meter for the local stack."""
