package runtime_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/expman-dev/expman/runtime"
)

func TestParallelRunsOverlap(t *testing.T) {
	// small#1 and small#2 each wait for the other to start: with two workers both
	// complete; one after another, they could not (the deadline only ends a failing test).
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	both := make(chan struct{})
	go func() { wg.Wait(); close(both) }()
	_, err := run(t, ctx, func(ctx context.Context, tr *runtime.Trial[settings]) error {
		if tr.Name != "small" {
			return nil
		}
		wg.Done()
		select {
		case <-both:
			return nil
		case <-ctx.Done():
			return errors.New("the other repeat never started")
		}
	}, runtime.WithParallel(2))
	if err != nil {
		t.Fatal(err)
	}
}

func TestParallelStartsInFileOrder(t *testing.T) {
	ts := manyTrials(6, 1)
	var mu sync.Mutex
	var got []string
	err := runtime.Run(t.Context(), spec, ts, func(ctx context.Context, tr *runtime.Trial[settings]) error {
		mu.Lock()
		got = append(got, tr.Name)
		mu.Unlock()
		return nil
	}, runtime.WithWorkspace(newWS(t)), runtime.WithConsole(nil), runtime.WithParallel(1))
	if err != nil || !slices.Equal(got, []string{"t0", "t1", "t2", "t3", "t4", "t5"}) {
		t.Errorf("order %v (%v), want file order", got, err)
	}
}

func manyTrials(n, repeats int) []runtime.TrialSpec[settings] {
	var ts []runtime.TrialSpec[settings]
	for i := range n {
		ts = append(ts, runtime.TrialSpec[settings]{Name: fmt.Sprintf("t%d", i), ID: i + 1, Repeat: repeats})
	}
	return ts
}

func TestGPUSlotsAreExclusive(t *testing.T) {
	ws := newWS(t)
	var mu sync.Mutex
	inUse := map[string]bool{}
	var problems []string
	fn := func(ctx context.Context, tr *runtime.Trial[settings]) error {
		mu.Lock()
		if tr.GPU == "" || inUse[tr.GPU] {
			problems = append(problems, fmt.Sprintf("%s got slot %q, in use: %v", tr.RunName(), tr.GPU, inUse))
		}
		inUse[tr.GPU] = true
		mu.Unlock()
		if env := tr.Env(); env[len(env)-1] != "CUDA_VISIBLE_DEVICES="+tr.GPU {
			problems = append(problems, fmt.Sprintf("%s: Env ends with %q", tr.RunName(), env[len(env)-1]))
		}
		time.Sleep(time.Millisecond) // give other runs the chance to collide
		mu.Lock()
		delete(inUse, tr.GPU)
		mu.Unlock()
		return nil
	}
	err := runtime.Run(t.Context(), spec, manyTrials(4, 3), fn, runtime.WithWorkspace(ws),
		runtime.WithConsole(nil), runtime.WithGPUs("0,1"), runtime.WithParallel(4))
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Error(strings.Join(problems, "\n"))
	}
	if rec := readRecord(t, runPath(ws, "t0", 1)); rec.GPU != "0" && rec.GPU != "1" {
		t.Errorf("run.json gpu = %q, want a slot", rec.GPU)
	}
}

func TestEnvWithoutGPU(t *testing.T) {
	_, err := run(t, t.Context(), func(ctx context.Context, tr *runtime.Trial[settings]) error {
		for _, kv := range tr.Env() {
			if strings.HasPrefix(kv, "CUDA_VISIBLE_DEVICES=") && kv != "CUDA_VISIBLE_DEVICES="+getenv("CUDA_VISIBLE_DEVICES") {
				return fmt.Errorf("Env sets %s without a GPU slot", kv)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

func getenv(k string) string { return os.Getenv(k) }
