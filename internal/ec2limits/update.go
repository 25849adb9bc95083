package ec2limits

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/eksnet/eksnet/internal/vpc"

	"github.com/eksnet/eksnet/internal/limits"
)

// AllRegions is the --regions value for every region enabled for the account.
const AllRegions = "all"

// ParseRegions reads --regions: "all", or region names separated by commas,
// each once, in the order given (issue 3).
func ParseRegions(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == AllRegions {
		return nil, nil
	}
	var regions []string
	for _, r := range strings.Split(s, ",") {
		r = strings.TrimSpace(r)
		if !vpc.IsRegionName(r) {
			return nil, fmt.Errorf("invalid region %q in --regions: want names such as us-east-1,eu-west-1, or all", r)
		}
		if !slices.Contains(regions, r) {
			regions = append(regions, r)
		}
	}
	return regions, nil
}

// UpdateProgress is how far a refresh has got: regions done of all, and the
// pages read so far; Region is the region just done ("" after a page).
type UpdateProgress struct {
	RegionsDone, Regions, Pages int
	Region                      string
}

// UpdateOptions steer Update.
type UpdateOptions struct {
	// Regions to ask; nil means every region enabled for the account
	// (DescribeRegions in the configured region).
	Regions []string
	// Base is the table being refreshed: the diff's old side and the source
	// of trunking and branch interfaces, which no API returns.
	Base *limits.Table
	// Header, Prune and MaxPods are passed to limits.Refresh.
	Header  limits.Header
	Prune   bool
	MaxPods func(limits.Instance) int
	// Concurrency is how many regions are asked at once (0: 8).
	Concurrency int
	// Progress, if set, is called after each page and each region, one call
	// at a time.
	Progress func(UpdateProgress)
}

// Update asks each region for every instance type it offers, concurrently,
// maps the records and merges them over Base (limits.Refresh). The first
// failing region stops the others and fails the whole update, naming the
// region: nothing partial comes back.
func Update(ctx context.Context, clientFor func(region string) API, opts UpdateOptions) (*limits.Table, limits.Summary, error) {
	regions := opts.Regions
	if len(regions) == 0 {
		var err error
		if regions, err = Regions(ctx, clientFor("")); err != nil {
			return nil, limits.Summary{}, err
		}
		if len(regions) == 0 {
			return nil, limits.Summary{}, fmt.Errorf("DescribeRegions returned no regions")
		}
	}
	fetched, err := fetchRegions(ctx, clientFor, regions, opts)
	if err != nil {
		return nil, limits.Summary{}, err
	}
	return limits.Refresh(opts.Base, fetched, limits.RefreshOptions{Header: opts.Header, Prune: opts.Prune, MaxPods: opts.MaxPods})
}

func fetchRegions(ctx context.Context, clientFor func(region string) API, regions []string, opts UpdateOptions) ([]limits.RegionInstances, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	concurrency := opts.Concurrency
	if concurrency <= 0 {
		concurrency = 8
	}
	results := make([]limits.RegionInstances, len(regions))
	var (
		mu       sync.Mutex
		firstErr error
		done     int
		pages    int
		wg       sync.WaitGroup
	)
	slots := make(chan struct{}, concurrency)
	for i, region := range regions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-ctx.Done():
				return
			}
			onPage := func() {
				mu.Lock()
				defer mu.Unlock()
				pages++
				if opts.Progress != nil && firstErr == nil {
					opts.Progress(UpdateProgress{RegionsDone: done, Regions: len(regions), Pages: pages})
				}
			}
			instances, err := fetchRegion(ctx, clientFor(region), opts.Base, onPage)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = fmt.Errorf("EC2 in %s: %w", region, err)
					cancel()
				}
				return
			}
			results[i] = limits.RegionInstances{Region: region, Instances: instances}
			done++
			if opts.Progress != nil && firstErr == nil {
				opts.Progress(UpdateProgress{RegionsDone: done, Regions: len(regions), Pages: pages, Region: region})
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := contextError(ctx); err != nil {
		return nil, err
	}
	return results, nil
}

func fetchRegion(ctx context.Context, api API, known *limits.Table, onPage func()) ([]limits.Instance, error) {
	records, err := fetchAll(ctx, api, onPage)
	if err != nil {
		return nil, err
	}
	return ToInstances(records, known)
}
