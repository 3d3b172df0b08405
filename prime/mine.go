package main

import (
	"context"
	"fmt"
)

func cmdMine(ctx context.Context, e *env, args []string) int {
	fmt.Fprintln(e.stderr, "prime mine: not yet built")
	return exitBad
}
