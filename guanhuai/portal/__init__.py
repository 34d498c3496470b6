"""The public disclosure portal (阳光计生): sites, columns and articles, public notices with online objections, fund/project/village disclosure, Simplified/Traditional, read counts. docs/portal.md."""
