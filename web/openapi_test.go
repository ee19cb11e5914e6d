package web

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

type openAPIDoc struct {
	Paths      map[string]map[string]openAPIOp `json:"paths"`
	Components struct {
		Schemas map[string]openAPISchema `json:"schemas"`
	} `json:"components"`
}

type openAPIOp struct {
	Responses   map[string]any `json:"responses"`
	RequestBody *struct {
		Content map[string]struct {
			Schema openAPISchema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Security []any `json:"security"`
}

type openAPISchema struct {
	Properties map[string]any `json:"properties"`
}

// The OpenAPI document describes exactly the API routes the server
// registers, and its schemas carry exactly the fields the API reads and
// writes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	db, _ := storetest.Open(t, store.SQLite)
	s, err := New(Config{DB: db, Hasher: password.Hasher{P: password.Fast}})
	if err != nil {
		t.Fatal(err)
	}
	var routes, documented []string
	for _, r := range s.routes {
		method, path, _ := strings.Cut(r, " ")
		routes = append(routes, strings.ToLower(method)+" "+path)
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if path == "/api/v1/openapi.json" {
				continue // public, registered outside s.api
			}
			documented = append(documented, method+" "+path)
			if _, ok := op.Responses["401"]; !ok {
				t.Errorf("%s %s does not document 401", method, path)
			}
		}
	}
	sort.Strings(routes)
	sort.Strings(documented)
	if !slices.Equal(routes, documented) {
		t.Errorf("routes and document differ:\nroutes:     %v\ndocumented: %v", routes, documented)
	}

	schemas := map[string]any{
		"Region": anxin.Region{}, "Org": anxin.Org{}, "Account": anxin.Account{}, "AuditEntry": anxin.AuditEntry{}, "Me": meResponse{},
		"Elder": anxin.Elder{}, "Phone": anxin.Phone{}, "Contact": anxin.Contact{}, "Consent": anxin.Consent{},
		"Term": anxin.Term{}, "Order": anxin.Order{}, "OrderLine": anxin.OrderLine{}, "OrderEvent": anxin.OrderEvent{},
		"OrderAttachment": anxin.OrderAttachment{}, "ReturnVisit": anxin.ReturnVisit{},
		"Suggestion": anxin.Suggestion{},
	}
	for name, v := range schemas {
		checkFields(t, name, doc.Components.Schemas[name], v)
	}
	bodies := map[string]any{
		"post /api/v1/orgs": orgCreateRequest{}, "patch /api/v1/orgs/{id}": orgPatchRequest{},
		"post /api/v1/accounts": accountCreateRequest{}, "patch /api/v1/accounts/{id}": accountPatchRequest{},
		"post /api/v1/vocab": termCreateRequest{}, "patch /api/v1/vocab/{id}": termPatchRequest{},
		"post /api/v1/orders": orderInput{}, "post /api/v1/orders/{id}/actions": actionInput{},
		"post /api/v1/orders/{id}/return-visit": anxin.VisitResult{},
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

// checkFields compares a schema's properties with a struct's JSON names.
func checkFields(t *testing.T, name string, sc openAPISchema, v any) {
	t.Helper()
	var fields []string
	rt := reflect.TypeOf(v)
	for i := range rt.NumField() {
		tag := rt.Field(i).Tag.Get("json")
		n, _, _ := strings.Cut(tag, ",")
		if n == "-" || !rt.Field(i).IsExported() {
			continue
		}
		if n == "" {
			n = rt.Field(i).Name
		}
		fields = append(fields, n)
	}
	var props []string
	for p := range sc.Properties {
		props = append(props, p)
	}
	sort.Strings(fields)
	sort.Strings(props)
	if !slices.Equal(fields, props) {
		t.Errorf("schema %s: properties %v, Go fields %v", name, props, fields)
	}
}
