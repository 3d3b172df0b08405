package main

import (
	"context"
	"fmt"
)

func cmdSynth(ctx context.Context, e *env, args []string) int {
	fmt.Fprintln(e.stderr, "prime synth: not yet built")
	return exitBad
}
