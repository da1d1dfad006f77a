package ingest

import (
	"strings"

	"github.com/callscope/callscope/internal/schema"
)

// Redacted replaces the SDK and OS versions of participants the resource's
// owner may not see in detail.
const Redacted = "Redacted"

// redact applies Azure's privacy rule to summary rows: the SDK and OS
// versions of a participant from another tenant than the one owning the
// resource, and of bots and phone (PSTN) participants, are replaced by
// "Redacted". Diagnostics rows describe streams, not people, and are left
// intact. An unregistered resource has no known owner, so only the bot and
// PSTN part of the rule applies to it.
func redact(t *schema.Table, row []any, resourceID string, tenants TenantOf) {
	if t.Name != schema.SummaryTable && t.Name != schema.SummaryUpdatesTable {
		return
	}
	str := func(col string) string {
		s, _ := row[t.ColumnIndex(col)].(string)
		return s
	}
	hide := false
	switch ep := str(schema.EndpointType); {
	case strings.EqualFold(ep, "Bot"), strings.EqualFold(ep, "PSTN"):
		hide = true
	default:
		if pt := str(schema.ParticipantTenantID); pt != "" && tenants != nil {
			if owner, ok := tenants(resourceID); ok && !strings.EqualFold(strings.TrimSpace(pt), owner) {
				hide = true
			}
		}
	}
	if hide {
		row[t.ColumnIndex(schema.SdkVersion)] = Redacted
		row[t.ColumnIndex(schema.OsVersion)] = Redacted
	}
}
