#!/bin/sh
# One-shot (docker-compose `temporal-setup`, image temporalio/admin-tools): once the server answers,
# registers the namespace the workers poll (temporalio/server creates none) and Forge's search
# attributes. Idempotent: an existing namespace is kept, and creating an attribute that exists
# with the same type succeeds.
set -eu
: "${TEMPORAL_ADDRESS:?}" "${FORGE_NAMESPACE:?}" "${FORGE_SEARCH_ATTRIBUTES:?}"

attempt=0
until temporal operator cluster health >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "Temporal at $TEMPORAL_ADDRESS is not serving after 120 s" >&2
    exit 1
  fi
  sleep 2
done

temporal operator namespace describe --namespace "$FORGE_NAMESPACE" >/dev/null 2>&1 ||
  temporal operator namespace create --namespace "$FORGE_NAMESPACE" --retention "${FORGE_NAMESPACE_RETENTION:-7d}"

# FORGE_SEARCH_ATTRIBUTES: "Name=Type ..." (every attribute in workflows/search-attributes.ts).
for pair in $FORGE_SEARCH_ATTRIBUTES; do
  temporal operator search-attribute create --namespace "$FORGE_NAMESPACE" --name "${pair%%=*}" --type "${pair#*=}"
done
echo "Namespace $FORGE_NAMESPACE and search attributes registered"
