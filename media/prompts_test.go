package media_test

import (
	"bytes"
	"testing"

	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/prompts"
)

// TestShippedPrompts reads every built-in prompt as a call would play it:
// 8 kHz PCM, at least ten 20 ms frames, and not silent.
func TestShippedPrompts(t *testing.T) {
	for _, name := range prompts.Names() {
		data, err := prompts.Open(prompts.Default, name)
		if err != nil {
			t.Fatal(err)
		}
		samples, err := media.ReadPrompt(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(samples) < media.FrameSamples*10 {
			t.Fatalf("%s: %d samples", name, len(samples))
		}
		var peak int16
		for _, s := range samples {
			peak = max(peak, s, -s)
		}
		if peak < 1000 {
			t.Fatalf("%s: peak %d, silent", name, peak)
		}
	}
}
