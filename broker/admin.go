package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tetherdesk/tether/internal/desk"
	"github.com/tetherdesk/tether/internal/password"
	"github.com/tetherdesk/tether/internal/store"
)

// defaultDataDir is where the broker keeps its database and files when
// --data is not given: zero configuration on a first start.
const defaultDataDir = "tether-data"

// admin runs the administration subcommands against a data directory, as
// the broker itself (desk's system actor), writing to the audit log like
// any other change.
type admin struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

var system = desk.Actor{Kind: desk.ActorSystem}

// flags returns a flag set with the common --data flag.
func (a *admin) flags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	data := fs.String("data", defaultDataDir, "data directory (database and attachments)")
	return fs, data
}

// parse parses args and refuses stray positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return usageError("see the flags above")
		}
		return usageError(err.Error())
	}
	if fs.NArg() > 0 {
		return usageError(fmt.Sprintf("unexpected argument %q", fs.Arg(0)))
	}
	return nil
}

// openService opens the data directory's store and a service over it.
func openService(ctx context.Context, dir string, logger *slog.Logger) (*desk.Service, *store.DB, error) {
	return openServiceWith(ctx, dir, logger, nil)
}

// openServiceWith is openService with a publisher for live events.
func openServiceWith(ctx context.Context, dir string, logger *slog.Logger, pub desk.Publisher) (*desk.Service, *store.DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("data directory: %w", err)
	}
	db, err := store.Open(ctx, filepath.Join(dir, "tether.db"), logger)
	if err != nil {
		return nil, nil, err
	}
	blobs, err := store.NewFileBlobs(filepath.Join(dir, "files"))
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	svc, err := desk.NewService(desk.ServiceConfig{Store: db, Blobs: blobs, Hasher: password.New(password.Default), Publisher: pub, Logger: logger})
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return svc, db, nil
}

func (a *admin) service(ctx context.Context, dir string) (*desk.Service, func(), error) {
	svc, db, err := openService(ctx, dir, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, nil, err
	}
	return svc, func() { db.Close() }, nil
}

// readPassword takes the password from stdin when asked to, or generates
// one and prints it once.
func (a *admin) readPassword(fromStdin bool) (pw string, generated bool, err error) {
	if !fromStdin {
		return desk.NewSecret()[:20], true, nil
	}
	line, err := bufio.NewReader(io.LimitReader(a.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), false, nil
}

func (a *admin) ownerCreate(ctx context.Context, args []string) error {
	fs, data := a.flags("owner create")
	email := fs.String("email", "", "owner's e-mail address (required)")
	name := fs.String("name", "Owner", "owner's display name")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		return usageError("--email is required")
	}
	pw, generated, err := a.readPassword(*stdin)
	if err != nil {
		return err
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	acct, err := svc.CreateOwner(ctx, *email, *name, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "created owner %s (id %d)\n", acct.Email, acct.ID)
	if generated {
		fmt.Fprintf(a.stdout, "password: %s\n(shown once; change it after logging in)\n", pw)
	}
	return nil
}

func (a *admin) technicianAdd(ctx context.Context, args []string) error {
	fs, data := a.flags("technician add")
	email := fs.String("email", "", "e-mail address (required)")
	name := fs.String("name", "", "display name (required)")
	role := fs.String("role", "technician", "technician, channel_manager, tech_manager or owner")
	groups := fs.String("groups", "", "comma-separated group names")
	grant := fs.String("grant", "", "comma-separated rights to add to the role's")
	revoke := fs.String("revoke", "", "comma-separated rights to remove from the role's")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" || *name == "" {
		return usageError("--email and --name are required")
	}
	r, err := desk.ParseRole(*role)
	if err != nil {
		return usageError(desk.ErrorMessage(err))
	}
	g, err := desk.ParseRights(splitList(*grant))
	if err != nil {
		return usageError(desk.ErrorMessage(err))
	}
	rv, err := desk.ParseRights(splitList(*revoke))
	if err != nil {
		return usageError(desk.ErrorMessage(err))
	}
	pw, generated, err := a.readPassword(*stdin)
	if err != nil {
		return err
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	gids, err := groupIDs(ctx, svc, splitList(*groups))
	if err != nil {
		return err
	}
	acct := &desk.Account{Email: *email, Name: *name, Role: r, Grant: g, Revoke: rv, GroupIDs: gids, Availability: desk.Away}
	if err := svc.CreateAccount(ctx, system, acct, pw); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "created %s %s (id %d)\n", acct.Role, acct.Email, acct.ID)
	if generated {
		fmt.Fprintf(a.stdout, "password: %s\n(shown once)\n", pw)
	}
	return nil
}

func (a *admin) technicianList(ctx context.Context, args []string) error {
	fs, data := a.flags("technician list")
	if err := parse(fs, args); err != nil {
		return err
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	accts, err := svc.ListAccounts(ctx, system)
	if err != nil {
		return err
	}
	groups, err := svc.ListGroups(ctx, system)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, g := range groups {
		names[g.ID] = g.Name
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tEMAIL\tNAME\tROLE\tGROUPS\tAVAILABILITY\tSTATE")
	for _, acct := range accts {
		var gs []string
		for _, id := range acct.GroupIDs {
			gs = append(gs, names[id])
		}
		state := "enabled"
		if acct.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", acct.ID, acct.Email, acct.Name, acct.Role, strings.Join(gs, ","), acct.Availability, state)
	}
	return w.Flush()
}

func (a *admin) technicianDisable(ctx context.Context, args []string) error {
	fs, data := a.flags("technician disable")
	email := fs.String("email", "", "e-mail address of the technician (required)")
	enable := fs.Bool("enable", false, "enable the account again instead")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		return usageError("--email is required")
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	accts, err := svc.ListAccounts(ctx, system)
	if err != nil {
		return err
	}
	for _, acct := range accts {
		if acct.Email == desk.NormalizeEmail(*email) {
			disabled := !*enable
			if _, err := svc.UpdateAccount(ctx, system, acct.ID, desk.AccountPatch{Disabled: &disabled}); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s is now %s\n", acct.Email, map[bool]string{true: "disabled", false: "enabled"}[disabled])
			return nil
		}
	}
	return fmt.Errorf("no technician with e-mail %s", *email)
}

func (a *admin) groupAdd(ctx context.Context, args []string) error {
	fs, data := a.flags("group add")
	name := fs.String("name", "", "group name (required)")
	desc := fs.String("description", "", "what the group is for")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError("--name is required")
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	g := &desk.Group{Name: *name, Description: *desc}
	if err := svc.CreateGroup(ctx, system, g); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "created group %s (id %d)\n", g.Name, g.ID)
	return nil
}

func (a *admin) groupList(ctx context.Context, args []string) error {
	fs, data := a.flags("group list")
	if err := parse(fs, args); err != nil {
		return err
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	groups, err := svc.ListGroups(ctx, system)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tDESCRIPTION")
	for _, g := range groups {
		fmt.Fprintf(w, "%d\t%s\t%s\n", g.ID, g.Name, g.Description)
	}
	return w.Flush()
}

func (a *admin) groupDelete(ctx context.Context, args []string) error {
	fs, data := a.flags("group delete")
	name := fs.String("name", "", "group name (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError("--name is required")
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	ids, err := groupIDs(ctx, svc, []string{*name})
	if err != nil {
		return err
	}
	if err := svc.DeleteGroup(ctx, system, ids[0]); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "deleted group %s\n", *name)
	return nil
}

func (a *admin) channelAdd(ctx context.Context, args []string) error {
	fs, data := a.flags("channel add")
	name := fs.String("name", "", "channel name (required)")
	desc := fs.String("description", "", "what the channel is for")
	groups := fs.String("groups", "", "comma-separated group names the channel is routed to")
	techs := fs.String("technicians", "", "comma-separated e-mails of single technicians it is routed to")
	managers := fs.String("managers", "", "comma-separated e-mails of its channel managers")
	expiration := fs.Duration("expiration", desk.DefaultExpiration, "how long sessions may wait or stay queued")
	sla := fs.Duration("sla", desk.DefaultSLAResponse, "first-response target")
	firstLine := fs.Duration("first-line", desk.DefaultFirstLineLimit, "first-line time before transfer is suggested")
	sos := fs.Bool("sos", false, "accept SOS Calls")
	types := fs.String("file-types", "", "comma-separated allowed attachment extensions (default: the standard office/image/archive list)")
	maxSize := fs.Int64("max-file-size", desk.DefaultMaxFileSize, "largest attachment in bytes")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError("--name is required")
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	gids, err := groupIDs(ctx, svc, splitList(*groups))
	if err != nil {
		return err
	}
	tids, err := accountIDs(ctx, svc, splitList(*techs))
	if err != nil {
		return err
	}
	mids, err := accountIDs(ctx, svc, splitList(*managers))
	if err != nil {
		return err
	}
	ch := &desk.Channel{Name: *name, Description: *desc, GroupIDs: gids, TechnicianIDs: tids, ManagerIDs: mids,
		Expiration: *expiration, SLAResponse: *sla, FirstLineLimit: *firstLine, AcceptsSOS: *sos, MaxFileSize: *maxSize}
	if *types != "" {
		ch.FileTypes = splitList(*types)
	}
	if err := svc.CreateChannel(ctx, system, ch); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "created channel %s (id %d)\n", ch.Name, ch.ID)
	return nil
}

func (a *admin) channelList(ctx context.Context, args []string) error {
	fs, data := a.flags("channel list")
	if err := parse(fs, args); err != nil {
		return err
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	chans, err := svc.ListChannels(ctx, system)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tGROUPS\tSOS\tEXPIRATION\tSLA\tMAX FILE")
	for _, ch := range chans {
		fmt.Fprintf(w, "%d\t%s\t%v\t%t\t%s\t%s\t%d\n", ch.ID, ch.Name, ch.GroupIDs, ch.AcceptsSOS, ch.Expiration, ch.SLAResponse, ch.MaxFileSize)
	}
	return w.Flush()
}

func (a *admin) channelDelete(ctx context.Context, args []string) error {
	fs, data := a.flags("channel delete")
	name := fs.String("name", "", "channel name (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError("--name is required")
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	chans, err := svc.ListChannels(ctx, system)
	if err != nil {
		return err
	}
	for _, ch := range chans {
		if ch.Name == *name {
			if err := svc.DeleteChannel(ctx, system, ch.ID); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "deleted channel %s\n", ch.Name)
			return nil
		}
	}
	return fmt.Errorf("no channel named %q", *name)
}

func (a *admin) auditVerify(ctx context.Context, args []string) error {
	fs, data := a.flags("audit verify")
	if err := parse(fs, args); err != nil {
		return err
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	n, last, err := svc.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("audit log is NOT intact after %d good records: %s", n, errorText(err))
	}
	fmt.Fprintf(a.stdout, "audit log intact: %d records, last hash %s\n", n, last)
	return nil
}

func (a *admin) auditExport(ctx context.Context, args []string) error {
	fs, data := a.flags("audit export")
	if err := parse(fs, args); err != nil {
		return err
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	recs, err := svc.Audit(ctx, system, desk.AuditFilter{})
	if err != nil {
		return err
	}
	return WriteAuditCSV(a.stdout, recs)
}

// WriteAuditCSV writes audit records as CSV with a header row.
func WriteAuditCSV(w io.Writer, recs []*desk.AuditRecord) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "time", "actor_kind", "actor_id", "actor", "action", "session_id", "channel_id", "target", "detail", "hash"})
	for _, r := range recs {
		cw.Write([]string{strconv.FormatInt(r.Seq, 10), r.At.UTC().Format(time.RFC3339Nano), r.ActorKind.String(), strconv.FormatInt(r.ActorID, 10),
			r.ActorName, r.Action, strconv.FormatInt(r.SessionID, 10), strconv.FormatInt(r.ChannelID, 10), r.Target, r.Detail, r.Hash})
	}
	cw.Flush()
	return cw.Error()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func groupIDs(ctx context.Context, svc *desk.Service, names []string) ([]int64, error) {
	if len(names) == 0 {
		return nil, nil
	}
	groups, err := svc.ListGroups(ctx, system)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, n := range names {
		found := false
		for _, g := range groups {
			if strings.EqualFold(g.Name, n) {
				ids, found = append(ids, g.ID), true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("no group named %q (see: tether-broker group list)", n)
		}
	}
	return ids, nil
}

func accountIDs(ctx context.Context, svc *desk.Service, emails []string) ([]int64, error) {
	if len(emails) == 0 {
		return nil, nil
	}
	accts, err := svc.ListAccounts(ctx, system)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, e := range emails {
		found := false
		for _, a := range accts {
			if a.Email == desk.NormalizeEmail(e) {
				ids, found = append(ids, a.ID), true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("no technician with e-mail %s (see: tether-broker technician list)", e)
		}
	}
	return ids, nil
}

// errorText is a command-line error message: the client-safe message for
// domain errors, the full chain otherwise (the operator is local).
func errorText(err error) string {
	var de *desk.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}
