"""Village self-governance: charters and village rules with versions and township filing, assemblies with a roll, quorum and votes, demonstration villages and counties. docs/governance.md."""
