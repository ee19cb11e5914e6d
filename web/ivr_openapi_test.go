package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/prompts"
)

// The IVR's schemas and request bodies in the OpenAPI document carry
// exactly the fields the API reads and writes.
func TestOpenAPIIVRFields(t *testing.T) {
	var doc openAPIDoc
	if err := json.Unmarshal(openAPI, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	for name, v := range map[string]any{
		"Menu": anxin.Menu{}, "MenuOption": anxin.MenuOption{}, "Queue": queueJSON{}, "Prompt": anxin.Prompt{},
		"Skills": skillsJSON{}, "AgentStatus": anxin.AgentStatus{},
	} {
		checkFields(t, name, doc.Components.Schemas[name], v)
	}
	for key, v := range map[string]any{
		"post /api/v1/ivr/menus": menuRequest{}, "put /api/v1/ivr/menus/{id}": menuRequest{},
		"put /api/v1/queues/{name}": queuePutRequest{}, "put /api/v1/agents/{id}/skills": struct {
			Skills []string `json:"skills"`
		}{},
	} {
		method, path, _ := strings.Cut(key, " ")
		op := doc.Paths[path][method]
		if op.RequestBody == nil {
			t.Errorf("%s: no request body documented", key)
			continue
		}
		checkFields(t, key, op.RequestBody.Content["application/json"].Schema, v)
	}
}

// Every built-in prompt says what it says on the prompts page, in both
// languages: staff record their dialect versions from it.
func TestPromptTexts(t *testing.T) {
	c, err := loadCatalog(messageFiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range prompts.Names() {
		for _, loc := range []string{anxin.LocaleZH, anxin.LocaleEN} {
			if _, ok := c[loc]["prompt.text."+name]; !ok {
				t.Errorf("built-in prompt %s has no prompt.text.%s message in %s (web/messages/ivr.json)", name, name, loc)
			}
		}
	}
}
