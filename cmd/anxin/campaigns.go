package main

import (
	"context"
	"log/slog"

	"github.com/anxin-care/anxin/callflow"
)

// runCampaigns runs the node's agentless campaign dialler until ctx ends
// (started by startTelephony, so only on nodes with telephony). It first
// gives back the campaign tasks the node held when it stopped — a crash
// leaves them leased: their attempts are closed as interrupted and the
// tasks called again as new attempts — then dials the running agentless
// campaigns in their calling windows, at most 30 calls at once per node
// (and within the trunks' channels). On shutdown its calls are hung up
// and their attempts closed as interrupted.
func runCampaigns(ctx context.Context, flows *callflow.Flows, node string, log *slog.Logger) {
	log.Info("campaign dialler started", "owner", "node:"+node)
	flows.RunCampaigns(ctx, node)
	log.Info("campaign dialler stopped", "owner", "node:"+node)
}
