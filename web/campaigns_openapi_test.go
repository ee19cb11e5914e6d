package web

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// The campaigns' schemas and request bodies in the OpenAPI document carry
// exactly the fields the API reads and writes.
func TestOpenAPICampaignFields(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	for name, v := range map[string]any{
		"Campaign": anxin.Campaign{}, "Target": anxin.Target{}, "Task": anxin.Task{}, "Script": anxin.Script{},
		"Question": anxin.Question{}, "ScriptOption": anxin.Option{}, "ScriptAction": anxin.Action{},
		"ScriptSummary": store.ScriptSummary{}, "CallerCount": store.CallerCount{}, "AnswerCount": store.AnswerCount{},
		"CampaignStats": store.CampaignStats{}, "ElderSummary": elderSummary{}, "NextTask": nextTask{}, "AttemptResult": store.AttemptResult{},
		"Reassignment": store.Reassignment{}, "Reassigned": store.Reassigned{}, "TakenTask": takenTask{},
	} {
		checkFlatFields(t, name, doc.Components.Schemas[name], reflect.TypeOf(v))
	}
	for key, v := range map[string]any{
		"post /api/v1/campaigns": campaignInput{}, "patch /api/v1/campaigns/{id}": campaignPatch{},
		"post /api/v1/scripts": scriptInput{}, "put /api/v1/scripts/{id}": scriptInput{},
		"post /api/v1/tasks/attempts/{id}": attemptInput{}, "post /api/v1/tasks/{id}/{action}": takeInput{},
	} {
		method, path, _ := strings.Cut(key, " ")
		op := doc.Paths[path][method]
		if op.RequestBody == nil {
			t.Errorf("%s: no request body documented", key)
			continue
		}
		checkFlatFields(t, key, op.RequestBody.Content["application/json"].Schema, reflect.TypeOf(v))
	}
}

// checkFlatFields is checkFields for structs that embed others, whose
// fields JSON lifts into their own.
func checkFlatFields(t *testing.T, name string, sc openAPISchema, rt reflect.Type) {
	t.Helper()
	fields := jsonFields(rt)
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

func jsonFields(rt reflect.Type) []string {
	var out []string
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag := f.Tag.Get("json")
		n, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && tag == "" {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if n == "-" || !f.IsExported() {
			continue
		}
		if n == "" {
			n = f.Name
		}
		out = append(out, n)
	}
	return out
}
