package sipua

import (
	"context"
	"fmt"

	"github.com/emiago/sipgo/sip"
)

// Probe sends OPTIONS to a trunk's host ("host" or "host:port", 5060 by
// default) and returns the status and reason of the answer: any answer,
// even 404 or 405, shows the far end is up. It returns an error when no
// answer came before ctx ended (bound it: the transaction alone lasts 32 s
// over UDP) or the request could not be sent.
func (a *Agent) Probe(ctx context.Context, host string) (int, string, error) {
	h, port, err := splitHostPort(host)
	if err != nil {
		return 0, "", err
	}
	req := sip.NewRequest(sip.OPTIONS, sip.Uri{Host: h, Port: port})
	from := &sip.FromHeader{Address: sip.Uri{User: "anxin", Host: a.cfg.Host}, Params: sip.NewParams()}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: sip.Uri{Host: h, Port: port}})
	req.AppendHeader(sip.NewHeader("User-Agent", a.cfg.Name))
	req.SetBody(nil)
	res, err := a.client.Do(ctx, req)
	if err != nil {
		return 0, "", fmt.Errorf("sipua: OPTIONS to %s: %w", host, err)
	}
	return res.StatusCode, res.Reason, nil
}
