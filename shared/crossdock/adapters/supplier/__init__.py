"""Supplier platforms (1688): one module per platform behind `SupplierSource`."""
