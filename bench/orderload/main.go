// Command orderload measures how many work orders Anxin's HTTP API takes
// and dispatches per second (issue 4): each of -workers loops creates an
// order for a random elder (POST /api/v1/orders) and dispatches it to a
// provider (POST /api/v1/orders/{id}/actions) — as an operator's client
// would — for -duration after -warmup, and it reports the pairs per second
// and the latency of each request and of the pair (p50, p99, max). It is
// closed-loop: the rate is what the server sustains with that many callers.
// It only loads loopback addresses.
//
//	go run ./bench/orderload -url http://127.0.0.1:8080 -workers 16 -duration 30s
//
// The token (an operator's) comes from $ANXIN_TOKEN; bench/orders.sh
// starts a server on the demo dataset and runs it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server (loopback only)")
	workers := flag.Int("workers", 16, "concurrent callers")
	duration := flag.Duration("duration", 30*time.Second, "measured time")
	warmup := flag.Duration("warmup", 5*time.Second, "unmeasured time first")
	provider := flag.Int64("provider", 0, "organisation to dispatch to (default: the first provider the token sees)")
	flag.Parse()
	if err := run(*base, os.Getenv("ANXIN_TOKEN"), *workers, *duration, *warmup, *provider); err != nil {
		fmt.Fprintln(os.Stderr, "orderload:", err)
		os.Exit(1)
	}
}

type client struct {
	base, token string
	hc          *http.Client
}

func (c *client) call(method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}

type sample struct{ create, dispatch, pair time.Duration }

func run(base, token string, workers int, duration, warmup time.Duration, provider int64) error {
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("only loopback addresses: %s", base)
	}
	if token == "" {
		return fmt.Errorf("set ANXIN_TOKEN to an operator's API token")
	}
	c := &client{base: base, token: token, hc: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: workers * 2}}}
	var elders struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if _, err := c.call("GET", "/api/v1/elders?limit=1000", nil, &elders); err != nil {
		return err
	}
	if len(elders.Items) == 0 {
		return fmt.Errorf("the token sees no elders")
	}
	if provider == 0 {
		var orgs struct {
			Items []struct {
				ID   int64  `json:"id"`
				Kind string `json:"kind"`
			} `json:"items"`
		}
		if _, err := c.call("GET", "/api/v1/orgs?kind=provider&limit=50", nil, &orgs); err != nil {
			return err
		}
		if len(orgs.Items) == 0 {
			return fmt.Errorf("the token sees no provider; pass -provider")
		}
		provider = orgs.Items[0].ID
	}
	ctx, cancel := context.WithTimeout(context.Background(), warmup+duration)
	defer cancel()
	measureFrom := time.Now().Add(warmup)
	var mu sync.Mutex
	var samples []sample
	var failures int
	var firstErr error
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 7))
			for ctx.Err() == nil {
				t0 := time.Now()
				var o struct {
					ID      int64 `json:"id"`
					Version int   `json:"version"`
				}
				elder := elders.Items[r.IntN(len(elders.Items))].ID
				_, err := c.call("POST", "/api/v1/orders", map[string]any{"type": "service", "channel": "inbound_call",
					"elder_id": elder, "title": "上门打扫卫生", "description": "压力测试"}, &o)
				t1 := time.Now()
				if err == nil {
					_, err = c.call("POST", fmt.Sprintf("/api/v1/orders/%d/actions", o.ID), map[string]any{
						"action": "dispatch", "version": o.Version, "org_id": provider}, nil)
				}
				t2 := time.Now()
				if t0.Before(measureFrom) || ctx.Err() != nil {
					continue
				}
				mu.Lock()
				if err != nil {
					failures++
					if firstErr == nil {
						firstErr = err
					}
				} else {
					samples = append(samples, sample{t1.Sub(t0), t2.Sub(t1), t2.Sub(t0)})
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(samples) == 0 {
		return fmt.Errorf("no successful pair (%d failures): %v", failures, firstErr)
	}
	pct := func(get func(sample) time.Duration, p float64) time.Duration {
		ds := make([]time.Duration, len(samples))
		for i, s := range samples {
			ds[i] = get(s)
		}
		slices.Sort(ds)
		return ds[min(len(ds)-1, int(float64(len(ds))*p/100))]
	}
	fmt.Printf("workers %d, measured %s: %d orders created and dispatched (%.0f/s), %d failures\n",
		workers, duration, len(samples), float64(len(samples))/duration.Seconds(), failures)
	for _, m := range []struct {
		name string
		get  func(sample) time.Duration
	}{{"create", func(s sample) time.Duration { return s.create }}, {"dispatch", func(s sample) time.Duration { return s.dispatch }},
		{"create+dispatch", func(s sample) time.Duration { return s.pair }}} {
		fmt.Printf("  %-16s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n", m.name, ms(pct(m.get, 50)), ms(pct(m.get, 99)), ms(pct(m.get, 100)))
	}
	if firstErr != nil {
		fmt.Println("  first failure:", firstErr)
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
