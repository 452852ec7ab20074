// The ingest contracts of the landing files this generator writes: schema
// files in the format of docs/ingest.md ("Schema files"). `custlake init`
// writes them to schemas/ so the generated company is ingested against a
// declared contract rather than a schema inferred from messy first files.
#pragma once

#include <string>

namespace custlake::generate {

/// schemas/usage.json: usage events (usage/*.ndjson).
std::string UsageSchemaJson();
/// schemas/tickets.json: support tickets with nested messages (tickets/*.json).
std::string TicketSchemaJson();

}  // namespace custlake::generate
