#include "generate/landing_schemas.h"

namespace custlake::generate {

std::string UsageSchemaJson() {
  return R"({
  "fields": [
    {"name": "event_id", "type": "string", "required": true},
    {"name": "customer_id", "type": "int64", "required": true},
    {"name": "ts", "type": "timestamp", "required": true},
    {"name": "event_type", "type": "string"},
    {"name": "feature", "type": "string"},
    {"name": "device", "type": "string"},
    {"name": "duration_s", "type": "int64"},
    {"name": "bytes", "type": "int64"},
    {"name": "app_version", "type": "string"}
  ],
  "key": "event_id",
  "partition_field": "ts",
  "unknown_fields": "keep"
}
)";
}

std::string TicketSchemaJson() {
  return R"({
  "fields": [
    {"name": "ticket_id", "type": "int64", "required": true},
    {"name": "customer_id", "type": "int64", "required": true},
    {"name": "opened_at", "type": "timestamp", "required": true},
    {"name": "closed_at", "type": "timestamp"},
    {"name": "channel", "type": "string"},
    {"name": "category", "type": "string"},
    {"name": "priority", "type": "string"},
    {"name": "status", "type": "string"},
    {"name": "satisfaction", "type": "int64"},
    {"name": "messages", "type": "json", "nested_type": "STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)[]"}
  ],
  "key": "ticket_id",
  "partition_field": "opened_at",
  "unknown_fields": "keep"
}
)";
}

}  // namespace custlake::generate
