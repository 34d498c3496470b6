"""Signal receivers: side effects of registry events on programmes (death stops entitlements)."""
