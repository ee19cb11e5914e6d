package web

import (
	"encoding/json"
	"testing"

	"github.com/anxin-care/anxin"
)

// The door-knock and coverage schemas and the visit's request body in the
// OpenAPI document carry exactly the fields the API reads and writes.
func TestOpenAPIWelfareFields(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	knock := doc.Components.Schemas["DoorKnock"]
	if _, ok := knock.Properties["overdue"]; !ok {
		t.Error("schema DoorKnock: no overdue (knockJSON)")
	}
	props := map[string]any{}
	for k, v := range knock.Properties {
		if k != "overdue" {
			props[k] = v
		}
	}
	checkFields(t, "DoorKnock", openAPISchema{Properties: props}, anxin.DoorKnock{})
	checkFields(t, "Coverage", doc.Components.Schemas["Coverage"], anxin.Coverage{})
	checkFields(t, "CoverageRow", doc.Components.Schemas["CoverageRow"], anxin.CoverageRow{})
	op := doc.Paths["/api/v1/doorknocks/{id}/result"]["post"]
	if op.RequestBody == nil {
		t.Fatal("post /api/v1/doorknocks/{id}/result: no request body documented")
	}
	checkFields(t, "post /api/v1/doorknocks/{id}/result", op.RequestBody.Content["application/json"].Schema, anxin.KnockVisit{})
}
