# Certificates arrive with the certificates issue (PRODUCT.md §3). This app will import
# programmes and learn of completions from a domain event, never the other way round.
