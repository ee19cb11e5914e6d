package callflow

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/media"
)

// configTTL is how long the flows play a snapshot of the IVR configuration
// before reading it again: an administrator's change (on any node) reaches
// calls starting a few seconds later.
const configTTL = 5 * time.Second

// ivrConfig is a snapshot of what the administrators configured: menus,
// the menu each hotline number starts at, queue settings and uploaded
// prompts.
type ivrConfig struct {
	menus   map[string]*anxin.Menu // by name
	didMenu map[string]*anxin.Menu // by hotline number
	queues  map[string]anxin.Queue
	// uploads are the uploaded prompts' samples by language, then name.
	uploads map[string]map[string][]int16
	version string // of the uploads
	loaded  time.Time
}

// configCache holds the latest snapshot.
type configCache struct {
	mu  sync.Mutex
	cur *ivrConfig
}

// builtinMenu is the menu of a hotline number no menu is configured for:
// the built-in prompts' welcome and main menu.
func builtinMenu() *anxin.Menu {
	return &anxin.Menu{Name: "", Greeting: "welcome", Prompt: "main_menu", TimeoutSeconds: 8, Options: []anxin.MenuOption{
		{Key: "1", Action: anxin.MenuQueue, Target: "consultation"},
		{Key: "2", Action: anxin.MenuQueue, Target: "service"},
		{Key: "3", Action: anxin.MenuQueue, Target: "complaint"},
		{Key: anxin.OperatorKey, Action: anxin.MenuQueue, Target: anxin.OperatorQueue},
	}}
}

// config returns the IVR configuration, read again when the snapshot is
// older than configTTL. When reading fails the old snapshot (or the
// built-in behaviour) serves and the log says why: a database hiccup must
// not silence the hotline.
func (f *Flows) config(ctx context.Context) *ivrConfig {
	c := &f.ivr
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != nil && time.Since(c.cur.loaded) < configTTL {
		return c.cur
	}
	next, err := f.loadConfig(ctx, c.cur)
	if err != nil {
		f.cfg.Log.Error("IVR configuration", "err", err)
		if c.cur == nil {
			c.cur = &ivrConfig{menus: map[string]*anxin.Menu{}, didMenu: map[string]*anxin.Menu{}, queues: map[string]anxin.Queue{}}
		}
		c.cur.loaded = time.Now() // try again after configTTL, not on every call
		return c.cur
	}
	c.cur = next
	return next
}

// loadConfig reads the configuration; the uploaded prompts only when they
// changed since old.
func (f *Flows) loadConfig(ctx context.Context, old *ivrConfig) (*ivrConfig, error) {
	db := f.cfg.DB
	menus, err := db.Menus(ctx)
	if err != nil {
		return nil, err
	}
	queues, err := db.Queues(ctx)
	if err != nil {
		return nil, err
	}
	version, err := db.PromptsVersion(ctx)
	if err != nil {
		return nil, err
	}
	c := &ivrConfig{menus: map[string]*anxin.Menu{}, didMenu: map[string]*anxin.Menu{}, queues: map[string]anxin.Queue{},
		version: version, loaded: time.Now()}
	for _, m := range menus {
		c.menus[m.Name] = m
		for _, n := range m.Numbers {
			c.didMenu[n] = m
		}
	}
	for _, q := range queues {
		c.queues[q.Name] = q
	}
	if old != nil && old.version == version {
		c.uploads = old.uploads
		return c, nil
	}
	ps, err := db.UploadedPrompts(ctx)
	if err != nil {
		return nil, err
	}
	c.uploads = map[string]map[string][]int16{}
	for _, p := range ps {
		b, err := db.PromptWAV(ctx, p.Name, p.Lang)
		if err != nil {
			return nil, err
		}
		pcm, err := media.ReadPrompt(bytes.NewReader(b))
		if err != nil {
			f.cfg.Log.Error("uploaded prompt", "prompt", p, "err", err)
			continue
		}
		if c.uploads[p.Lang] == nil {
			c.uploads[p.Lang] = map[string][]int16{}
		}
		c.uploads[p.Lang][p.Name] = pcm
	}
	return c, nil
}

// queue returns the settings of a queue: its own, or the defaults.
func (c *ivrConfig) queue(name string) anxin.Queue {
	if q, ok := c.queues[name]; ok {
		return q
	}
	return anxin.DefaultQueue(name)
}

// prompt returns the samples of a prompt in a language: an upload in the
// language, else the Mandarin upload, else the built-in prompt (nil when
// there is none).
func (f *Flows) prompt(c *ivrConfig, lang, name string) []int16 {
	if c != nil {
		if pcm, ok := c.uploads[lang][name]; ok {
			return pcm
		}
		if pcm, ok := c.uploads[anxin.LangMandarin][name]; ok {
			return pcm
		}
	}
	return f.prompts[name]
}

// spokenNumber names the built-in prompts that say n (0-99) in Mandarin;
// before a measure word 2 is 两. Numbers from 100 on are said as 99.
func spokenNumber(n int, measure bool) []string {
	digit := func(d int) string { return "digit_" + string(rune('0'+d)) }
	switch {
	case n < 0:
		n = 0
	case n > 99:
		n = 99
	}
	if n == 2 && measure {
		return []string{"liang"}
	}
	if n < 10 {
		return []string{digit(n)}
	}
	var out []string
	if n >= 20 {
		out = append(out, digit(n/10))
	}
	out = append(out, "ten")
	if n%10 != 0 {
		out = append(out, digit(n%10))
	}
	return out
}

// menus plays the menus from m on until the caller is queued, asked for a
// callback, heard a message or hung up.
func (k *call) menus(ctx context.Context, m *anxin.Menu) {
	greeted := map[string]bool{}
	// A caller may go from menu to menu; the bound stops a loop of menus
	// leading to each other from holding a line all day.
	for steps := 0; m != nil && steps < 50; steps++ {
		next, done := k.menu(ctx, m, !greeted[m.Name])
		greeted[m.Name] = true
		if done {
			return
		}
		m = next
	}
	k.play("goodbye")
}

// menu plays one menu: its greeting (on first entry), then its prompt and
// up to three tries for a key. It returns the menu to go to, or done when
// the call's course is settled.
func (k *call) menu(ctx context.Context, m *anxin.Menu, greet bool) (next *anxin.Menu, done bool) {
	var d rune
	ok := true
	if greet && m.Greeting != "" {
		d, ok = k.play(m.Greeting)
	}
	timeout := time.Duration(m.TimeoutSeconds) * time.Second
	if k.f.cfg.MenuTimeout > 0 {
		timeout = k.f.cfg.MenuTimeout
	}
	for try := 0; ok && try < 3; try++ {
		if d == 0 {
			if d, ok = k.play(m.Prompt); ok && d == 0 {
				d, ok = k.key(timeout)
			}
		}
		if !ok {
			return nil, true
		}
		if d == 0 {
			k.play("no_input")
			continue
		}
		key := string(d)
		d = 0
		if key == anxin.OperatorKey {
			k.queue(ctx, anxin.OperatorQueue)
			return nil, true
		}
		o, found := m.Option(key)
		if !found {
			k.play("invalid_input")
			continue
		}
		switch o.Action {
		case anxin.MenuQueue:
			k.queue(ctx, o.Target)
			return nil, true
		case anxin.MenuSubmenu:
			if sub := k.cfg.menus[o.Target]; sub != nil {
				return sub, false
			}
			k.f.cfg.Log.Error("menu leads to a missing menu", "menu", m.Name, "key", key, "target", o.Target)
			k.play("invalid_input")
		case anxin.MenuInfo:
			// The information, then the menu again; listening is no try.
			d, ok = k.play(o.Target)
			try--
		case anxin.MenuCallback:
			k.callbackRequest(ctx, o.Target, time.Now())
			return nil, true
		case anxin.MenuMessage:
			if _, ok := k.play(o.Target); ok {
				k.play("goodbye")
			}
			return nil, true
		case anxin.MenuLanguage:
			k.lang = o.Target
			if err := k.f.cfg.DB.SetCallLang(ctx, k.rec.ID, k.lang); err != nil {
				k.f.cfg.Log.Error("call language", "err", err)
			}
			if o.Next == "" {
				return m, false
			}
			if sub := k.cfg.menus[o.Next]; sub != nil {
				return sub, false
			}
			return m, false
		}
	}
	if ok {
		k.play("goodbye")
	}
	return nil, true
}

// callbackRequest puts the caller on the list to call back from queue,
// keeps their place in its line (since when they joined it; see
// keepPlace) and says goodbye.
func (k *call) callbackRequest(ctx context.Context, queue string, since time.Time) {
	db := k.f.cfg.DB
	if err := db.SetCallQueue(ctx, k.rec.ID, queue, 0); err != nil {
		k.f.cfg.Log.Error("callback request", "err", err)
	}
	if err := db.RequestCallback(ctx, k.rec.ID); err != nil {
		k.f.cfg.Log.Error("callback request", "err", err)
	}
	k.play("callback_confirmed")
	number := k.rec.FromNumber
	if k.rec.Direction == anxin.CallOutbound {
		number = k.rec.ToNumber // a check-in's elder asked for help
	}
	go k.f.keepPlace(k.rec.ID, number, k.rec.ElderID, k.did, k.cfg.queue(queue), k.lang, since)
}
