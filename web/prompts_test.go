package web_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/prompts"
)

// pcWAV returns what a PC records: a 1 kHz tone of the given length at
// 44.1 kHz, 16-bit stereo, with a LIST chunk before the audio.
func pcWAV(seconds float64) []byte {
	le := binary.LittleEndian
	n := int(seconds * 44100)
	var data []byte
	for i := range n {
		s := uint16(int16(math.Round(16000 * math.Sin(2*math.Pi*1000*float64(i)/44100))))
		data = le.AppendUint16(le.AppendUint16(data, s), s)
	}
	list := []byte("INFOISFT\x0e\x00\x00\x00Lavf60.16.100\x00")
	b := []byte("RIFF")
	b = le.AppendUint32(b, uint32(4+8+16+8+len(list)+8+len(data)))
	b = append(b, "WAVEfmt "...)
	b = le.AppendUint32(b, 16)
	b = le.AppendUint16(b, 1)
	b = le.AppendUint16(b, 2)
	b = le.AppendUint32(b, 44100)
	b = le.AppendUint32(b, 44100*4)
	b = le.AppendUint16(b, 4)
	b = le.AppendUint16(b, 16)
	b = append(b, "LIST"...)
	b = le.AppendUint32(b, uint32(len(list)))
	b = append(b, list...)
	b = append(b, "data"...)
	b = le.AppendUint32(b, uint32(len(data)))
	return append(b, data...)
}

// uploadPrompt posts a multipart form with a file in "file" and the session's
// CSRF token; it returns the status, the redirect and the body.
func (c *testClient) uploadPrompt(path string, fields map[string]string, filename string, file []byte) (int, string, string) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", c.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(body)
}

// wantPromptWAV checks that b is a prompt as calls play it: 8 kHz mono
// 16-bit, of the given length.
func wantPromptWAV(t *testing.T, b []byte, millis int) {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < 44 || string(b[:4]) != "RIFF" || le.Uint16(b[22:]) != 1 || le.Uint32(b[24:]) != 8000 || le.Uint16(b[34:]) != 16 {
		t.Fatalf("not an 8 kHz mono 16-bit WAV: % x", b[:min(len(b), 44)])
	}
	samples, err := media.ReadPrompt(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(samples) * 1000 / 8000; got != millis {
		t.Fatalf("%d ms of audio, want %d", got, millis)
	}
	var peak int16
	for _, s := range samples {
		peak = max(peak, s)
	}
	if peak < 14000 || peak > 17000 {
		t.Fatalf("peak %d, the tone's was 16000", peak)
	}
}

// The administrator uploads a Shanghainese welcome recorded on a PC (44.1
// kHz stereo): it is stored as an 8 kHz mono prompt, plays back, and is
// audited; files Anxin cannot use are refused with the reason; a new
// custom prompt can be added and a menu can play it.
func TestPromptUploads(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		admin := e.signIn("admin")
		st, body := admin.get("/admin/prompts")
		wantStatus(t, "page", st, http.StatusOK)
		wantBody(t, body, "普通话", "上海话", "粤语", "English", `src="/admin/prompts/zh/welcome.wav"`, "您好，这里是安心为老服务热线。",
			`action="/admin/prompts/wuu/welcome"`, `enctype="multipart/form-data"`, "未上传，播放普通话", "内置")
		if strings.Contains(body, `src="/admin/prompts/wuu/welcome.wav"`) {
			t.Fatal("a player for a prompt not uploaded")
		}

		st, loc, _ := admin.uploadPrompt("/admin/prompts/wuu/welcome", nil, "欢迎语-上海话.wav", pcWAV(1.5))
		if st != http.StatusSeeOther || loc != "/admin/prompts?flash=prompt_uploaded#prompt-welcome" {
			t.Fatalf("upload: %d %s", st, loc)
		}
		ups, err := e.db.UploadedPrompts(ctx)
		if err != nil || len(ups) != 1 || ups[0].Name != "welcome" || ups[0].Lang != "wuu" || ups[0].Millis != 1500 || ups[0].UploadedByName != "平台管理员" {
			t.Fatalf("uploads %+v, %v", ups, err)
		}
		stored, err := e.db.PromptWAV(ctx, "welcome", "wuu")
		if err != nil {
			t.Fatal(err)
		}
		wantPromptWAV(t, stored, 1500)
		if a := lastAudit(t, e, "prompt.upload"); a.TargetID != "wuu/welcome" || !strings.Contains(a.Detail, `"欢迎语-上海话.wav"`) || !strings.Contains(a.Detail, "1.5 s at 8 kHz") {
			t.Fatalf("audit %+v", a)
		}

		// It plays back in the browser, as do the built-in prompts.
		req, _ := http.NewRequest("GET", e.ts.URL+"/admin/prompts/wuu/welcome.wav", nil)
		resp, err := admin.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		played, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "audio/wav" {
			t.Fatalf("play: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		wantPromptWAV(t, played, 1500)
		st, _ = admin.get("/admin/prompts/zh/main_menu.wav")
		wantStatus(t, "built-in", st, http.StatusOK)
		for _, path := range []string{"/admin/prompts/yue/welcome.wav", "/admin/prompts/zh/nothing.wav", "/admin/prompts/zh/welcome", "/admin/prompts/xx/welcome.wav"} {
			st, _ = admin.get(path)
			wantStatus(t, path, st, http.StatusNotFound)
		}
		_, body = admin.get("/admin/prompts")
		wantBody(t, body, `src="/admin/prompts/wuu/welcome.wav"`, "1.5 秒 · 平台管理员", `action="/admin/prompts/wuu/welcome/delete"`, "替换")

		// Files Anxin cannot use: the reason, in the cell, nothing stored.
		for _, tc := range []struct {
			name string
			file []byte
			says string
		}{
			{"mp3", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), make([]byte, 100)...), "这是 MP3 文件，不是 WAV"},
			{"text", []byte("not a recording at all"), "不是有效的 WAV 录音"},
			{"adpcm", append([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x14\x00\x00\x00\x11\x00\x01\x00\x40\x1f\x00\x00\xd7\x0f\x00\x00\x00\x01\x04\x00\x02\x00\xf9\x01data\x04\x00\x00\x00"), 1, 2, 3, 4), "IMA ADPCM 压缩格式"},
		} {
			st, _, body := admin.uploadPrompt("/admin/prompts/yue/goodbye", nil, tc.name+".wav", tc.file)
			wantStatus(t, tc.name, st, http.StatusBadRequest)
			wantBody(t, body, tc.says, `aria-invalid="true"`)
		}
		st, _, body = admin.uploadPrompt("/admin/prompts", map[string]string{"name": "Flood Notice", "lang": "zh"}, "a.wav", pcWAV(0.2))
		wantStatus(t, "bad name", st, http.StatusBadRequest)
		wantBody(t, body, "提示音名称为小写字母", `value="Flood Notice"`)
		if ups, _ := e.db.UploadedPrompts(ctx); len(ups) != 1 {
			t.Fatalf("refused uploads were stored: %+v", ups)
		}

		// A custom prompt for an information key.
		st, loc, _ = admin.uploadPrompt("/admin/prompts", map[string]string{"name": "flood_notice", "lang": "zh"}, "汛期通知.wav", pcWAV(0.5))
		if st != http.StatusSeeOther || !strings.HasSuffix(loc, "#prompt-flood_notice") {
			t.Fatalf("new prompt: %d %s", st, loc)
		}
		st, _, _ = postWithLocation(t, admin, "/admin/ivr", menuValues("汛期", "", "main_menu", "8", [][4]string{{"5", "info", "flood_notice", ""}}))
		wantStatus(t, "menu with it", st, http.StatusSeeOther)
		_, body = admin.get("/admin/ivr/new")
		wantBody(t, body, `<option value="flood_notice">`)

		// Deleting restores the fallback.
		st, loc, _ = postWithLocation(t, admin, "/admin/prompts/wuu/welcome/delete", url.Values{})
		if st != http.StatusSeeOther || !strings.Contains(loc, "flash=prompt_deleted") {
			t.Fatalf("delete: %d %s", st, loc)
		}
		if a := lastAudit(t, e, "prompt.delete"); a.TargetID != "wuu/welcome" {
			t.Fatalf("delete audit %+v", a)
		}
		st, _ = admin.post("/admin/prompts/wuu/welcome/delete", nil)
		wantStatus(t, "delete twice", st, http.StatusNotFound)

		// Staff hear prompts; only the platform's administrators change them.
		op := e.signIn("operator1")
		st, _ = op.get("/admin/prompts/zh/welcome.wav")
		wantStatus(t, "operator plays", st, http.StatusOK)
		st, _ = op.get("/admin/prompts")
		wantStatus(t, "operator's page", st, http.StatusForbidden)
		st, _, _ = op.uploadPrompt("/admin/prompts/wuu/welcome", nil, "a.wav", pcWAV(0.2))
		wantStatus(t, "operator uploads", st, http.StatusForbidden)
		st, _ = e.signIn("supplier1").get("/admin/prompts/zh/welcome.wav")
		wantStatus(t, "supplier plays", st, http.StatusForbidden)
		st, _, _ = e.signIn("cityadmin").uploadPrompt("/admin/prompts/wuu/welcome", nil, "a.wav", pcWAV(0.2))
		wantStatus(t, "city admin uploads", st, http.StatusForbidden)
		st, _, _ = e.anon().uploadPrompt("/admin/prompts/wuu/welcome", nil, "a.wav", pcWAV(0.2))
		wantStatus(t, "anonymous uploads", st, http.StatusUnauthorized)
	})
}

// apiWAV sends a WAV body to the API.
func (e *testEnv) apiWAV(method, path, token, contentType string, body []byte) (int, []byte, http.Header) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func TestPromptsAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		tok := e.token("admin")
		st, b, _ := e.apiWAV("PUT", "/api/v1/prompts/yue/goodbye", tok, "audio/wav", pcWAV(2))
		wantStatus(t, "put", st, http.StatusOK)
		wantBody(t, string(b), `"name":"goodbye"`, `"lang":"yue"`, `"millis":2000`, `"uploaded_by_name":"平台管理员"`)
		if a := lastAudit(t, e, "prompt.upload"); a.TargetID != "yue/goodbye" {
			t.Fatalf("audit %+v", a)
		}
		st, b, h := e.apiWAV("GET", "/api/v1/prompts/yue/goodbye", tok, "", nil)
		if st != http.StatusOK || h.Get("Content-Type") != "audio/wav" {
			t.Fatalf("get: %d %s", st, h.Get("Content-Type"))
		}
		wantPromptWAV(t, b, 2000)

		var list struct {
			Items []anxin.Prompt `json:"items"`
			Total int            `json:"total"`
		}
		wantStatus(t, "list", e.api("GET", "/api/v1/prompts", tok, nil, &list), http.StatusOK)
		var goodbye []string
		for _, p := range list.Items {
			if p.Name == "goodbye" {
				goodbye = append(goodbye, fmt.Sprintf("%s/%d/%v", p.Lang, p.Millis/1000, p.Builtin))
			}
		}
		if list.Total != len(prompts.Names())+1 || strings.Join(goodbye, " ") != "zh/3/true yue/2/false" {
			t.Fatalf("%d prompts; goodbye %v", list.Total, goodbye)
		}

		st, b, _ = e.apiWAV("PUT", "/api/v1/prompts/yue/goodbye", tok, "audio/mpeg", pcWAV(0.1))
		wantStatus(t, "content type", st, http.StatusBadRequest)
		st, b, _ = e.apiWAV("PUT", "/api/v1/prompts/yue/goodbye", tok, "audio/wav", []byte("ID3\x04\x00\x00\x00\x00\x00\x00\x00\x00"))
		wantStatus(t, "mp3", st, http.StatusBadRequest)
		wantBody(t, string(b), `"code":"invalid"`, "MP3")
		st, _, _ = e.apiWAV("PUT", "/api/v1/prompts/fr/goodbye", tok, "audio/wav", pcWAV(0.1))
		wantStatus(t, "unknown language", st, http.StatusBadRequest)
		st, _, _ = e.apiWAV("PUT", "/api/v1/prompts/yue/goodbye", e.token("operator1"), "audio/wav", pcWAV(0.1))
		wantStatus(t, "operator", st, http.StatusForbidden)

		st, _, _ = e.apiWAV("DELETE", "/api/v1/prompts/yue/goodbye", tok, "", nil)
		wantStatus(t, "delete", st, http.StatusNoContent)
		st, _, _ = e.apiWAV("DELETE", "/api/v1/prompts/yue/goodbye", tok, "", nil)
		wantStatus(t, "delete twice", st, http.StatusNotFound)
		st, _, _ = e.apiWAV("GET", "/api/v1/prompts/yue/goodbye", tok, "", nil)
		wantStatus(t, "gone", st, http.StatusNotFound)
		if a := lastAudit(t, e, "prompt.delete"); a.TargetID != "yue/goodbye" {
			t.Fatalf("delete audit %+v", a)
		}
	})
}
