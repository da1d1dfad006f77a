package simulate

import (
	"fmt"
	"hash/fnv"
	"strings"
)

// Resource is one Azure resource the simulator writes records for: an Azure
// Communication Services resource that calls belong to, or an Application
// Insights resource (microsoft.insights/components) that the apps of a
// tenant send their custom events to.
// ID is the full resource id as the exports write it
// ("/SUBSCRIPTIONS/<sub>/RESOURCEGROUPS/<rg>/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/<NAME>");
// TenantID is the Entra tenant that owns it, which decides who counts as a
// cross-tenant participant and which Application Insights resource the
// apps on an ACS resource use.
type Resource struct {
	ID             string
	TenantID       string
	SubscriptionID string
	Name           string
}

// NewResource builds a Resource with its id in the upper-case form of the
// exports.
func NewResource(tenantID, subscriptionID, resourceGroup, name string) Resource {
	return Resource{
		ID: "/SUBSCRIPTIONS/" + strings.ToUpper(subscriptionID) +
			"/RESOURCEGROUPS/" + strings.ToUpper(resourceGroup) +
			"/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/" + strings.ToUpper(name),
		TenantID:       tenantID,
		SubscriptionID: subscriptionID,
		Name:           strings.ToUpper(name),
	}
}

// NewAppInsights builds the Resource of an Application Insights resource,
// with its id in the upper-case form of the exports
// (".../PROVIDERS/MICROSOFT.INSIGHTS/COMPONENTS/<NAME>").
func NewAppInsights(tenantID, subscriptionID, resourceGroup, name string) Resource {
	return Resource{
		ID: "/SUBSCRIPTIONS/" + strings.ToUpper(subscriptionID) +
			"/RESOURCEGROUPS/" + strings.ToUpper(resourceGroup) +
			"/PROVIDERS/MICROSOFT.INSIGHTS/COMPONENTS/" + strings.ToUpper(name),
		TenantID:       tenantID,
		SubscriptionID: subscriptionID,
		Name:           strings.ToUpper(name),
	}
}

// AppInsights reports whether the resource is an Application Insights
// resource (microsoft.insights/components) rather than an ACS resource.
func (r Resource) AppInsights() bool {
	parts := strings.Split(strings.Trim(r.ID, "/"), "/")
	return len(parts) == 8 && strings.EqualFold(parts[5], "microsoft.insights") && strings.EqualFold(parts[6], "components")
}

// DefaultResources returns the resources used when Options.Resources is nil:
// two ACS resources of one tenant in two subscriptions (production and test
// of a telehealth app), a contact centre of a second tenant, and the
// telehealth team's Application Insights resource, next to its production
// ACS resource, which receives the custom survey events of the telehealth
// apps. The ids are fixed, not drawn from the seed, so that ingestion keys
// can be configured for them once.
func DefaultResources() []Resource {
	return []Resource{
		NewResource("5e1d3c7a-2f4b-4a6c-8d9e-1b2c3d4e5f60", "5b3c1a2e-7d4f-4e8a-9c61-0f2d8e6b4a17", "contoso-telehealth-rg", "contoso-telehealth"),
		NewResource("5e1d3c7a-2f4b-4a6c-8d9e-1b2c3d4e5f60", "c0e4d6a8-2b1f-4c3e-8a9d-6e7f5b4c3d21", "contoso-telehealth-test-rg", "contoso-telehealth-test"),
		NewResource("3f6b2c1d-9e8a-4b7c-a6d5-e4f3c2b1a098", "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d", "fabrikam-contactcenter-rg", "fabrikam-contactcenter"),
		NewAppInsights("5e1d3c7a-2f4b-4a6c-8d9e-1b2c3d4e5f60", "5b3c1a2e-7d4f-4e8a-9c61-0f2d8e6b4a17", "contoso-telehealth-rg", "contoso-telehealth-insights"),
	}
}

// insightsState is an Application Insights resource with what its records
// carry besides its id: the instrumentation key the apps send with and the
// resource's GUID, both fixed for the resource.
type insightsState struct {
	Resource
	idJSON     []byte // `"resourceId":"…"`, written once
	iKey, guid string
}

func newInsightsState(res Resource) *insightsState {
	h := fnv.New64a()
	h.Write([]byte(strings.ToUpper(res.ID)))
	r := newRNG(h.Sum64(), 31)
	st := &insightsState{Resource: res, iKey: r.guid(), guid: r.guid()}
	st.idJSON = appendString([]byte(`"resourceId":`), res.ID)
	return st
}

// callMix is how a resource's calls split between the kinds of call.
type callMix struct {
	weight                           float64 // share of all calls
	p2p, escalated, meeting, contact float64
}

// defaultMixes gives the default resources different personalities: the
// telehealth app makes mostly one-to-one visits, its test resource a little
// traffic, the contact centre many bot-answered phone calls.
var defaultMixes = map[string]callMix{
	"CONTOSO-TELEHEALTH":      {weight: 0.55, p2p: 0.55, escalated: 0.05, meeting: 0.37, contact: 0.03},
	"CONTOSO-TELEHEALTH-TEST": {weight: 0.10, p2p: 0.60, escalated: 0.05, meeting: 0.35, contact: 0.00},
	"FABRIKAM-CONTACTCENTER":  {weight: 0.35, p2p: 0.45, escalated: 0.03, meeting: 0.24, contact: 0.28},
}

var otherMix = callMix{weight: 1, p2p: 0.51, escalated: 0.04, meeting: 0.37, contact: 0.08}

// resourceParts splits a resource id into subscription, resource group and
// name. It accepts ids with or without the leading slash, in any case.
func resourceParts(id string) (sub, rg, name string, err error) {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	if len(parts) != 8 || !strings.EqualFold(parts[0], "subscriptions") ||
		!strings.EqualFold(parts[2], "resourcegroups") || !strings.EqualFold(parts[4], "providers") {
		return "", "", "", fmt.Errorf("simulate: %q is not a resource id", id)
	}
	for _, p := range []string{parts[1], parts[3], parts[7]} {
		if p == "" || p == "." || p == ".." {
			return "", "", "", fmt.Errorf("simulate: %q is not a resource id", id)
		}
	}
	return parts[1], parts[3], parts[7], nil
}

// immutableID stands in for the immutable resource id that ACS puts in its
// user identities ("acs:<immutable id>_<user>"). It is a GUID derived from the
// resource id, so a resource always has the same one.
func immutableID(resourceID string) string {
	h := fnv.New64a()
	h.Write([]byte(strings.ToUpper(resourceID)))
	r := newRNG(h.Sum64(), 17)
	return r.guid()
}
