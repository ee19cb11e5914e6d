package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
)

// The catalogue's and providers' schemas and request bodies in the OpenAPI
// document carry exactly the fields the API reads and writes.
func TestOpenAPICatalogueSchemas(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	schemas := map[string]any{
		"Category": anxin.Category{}, "CatalogueItem": anxin.CatalogueItem{}, "PriceChange": anxin.PriceChange{},
		"ProviderProfile": anxin.ProviderProfile{}, "ProviderDocument": anxin.ProviderDocument{},
	}
	for name, v := range schemas {
		checkFields(t, name, doc.Components.Schemas[name], v)
	}
	bodies := map[string]any{
		"post /api/v1/catalogue/items": itemCreateRequest{}, "patch /api/v1/catalogue/items/{id}": itemPatchRequest{},
		"post /api/v1/catalogue/items/{id}/approve": itemDecisionRequest{}, "post /api/v1/catalogue/items/{id}/reject": itemDecisionRequest{},
		"post /api/v1/providers": providerApplyRequest{}, "post /api/v1/providers/{id}/review": providerReviewRequest{},
	}
	for key, v := range bodies {
		method, path, _ := strings.Cut(key, " ")
		op := doc.Paths[path][method]
		if op.RequestBody == nil {
			t.Errorf("%s: no request body documented", key)
			continue
		}
		checkFields(t, key, op.RequestBody.Content["application/json"].Schema, v)
	}
}
