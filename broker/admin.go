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
	"strings"
	"text/tabwriter"

	"github.com/tetherdesk/tether/internal/api"
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
	data := fs.String("data", envDefault("TETHER_DATA", defaultDataDir), "data directory (database and attachments) [TETHER_DATA]")
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

// step is one subcommand once its flags are parsed: check validates the
// command line (usage errors exit 2 before the data directory is touched),
// run does the work on the open service.
type step struct {
	check func() error
	run   func(context.Context, *desk.Service) error
}

// exec parses a subcommand's flags, checks them, opens the data
// directory's service and runs the step.
func (a *admin) exec(ctx context.Context, name string, args []string, define func(fs *flag.FlagSet) step) error {
	fs, data := a.flags(name)
	st := define(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if st.check != nil {
		if err := st.check(); err != nil {
			return err
		}
	}
	svc, done, err := a.service(ctx, *data)
	if err != nil {
		return err
	}
	defer done()
	return st.run(ctx, svc)
}

// required returns a check that each named flag value is non-empty.
func required(flags map[string]*string) func() error {
	return func() error {
		for name, v := range flags {
			if *v == "" {
				return usageError("--" + name + " is required")
			}
		}
		return nil
	}
}

// table writes rows under a header, aligned.
func (a *admin) table(header string, rows func(w io.Writer)) error {
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, header)
	rows(w)
	return w.Flush()
}

func (a *admin) ownerCreate(ctx context.Context, args []string) error {
	var pw string
	var generated bool
	return a.exec(ctx, "owner create", args, func(fs *flag.FlagSet) step {
		email := fs.String("email", "", "owner's e-mail address (required)")
		name := fs.String("name", "Owner", "owner's display name")
		stdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one")
		return step{
			check: func() (err error) {
				if err = required(map[string]*string{"email": email})(); err == nil {
					pw, generated, err = a.readPassword(*stdin)
				}
				return err
			},
			run: func(ctx context.Context, svc *desk.Service) error {
				acct, err := svc.CreateOwner(ctx, *email, *name, pw)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "created owner %s (id %d)\n", acct.Email, acct.ID)
				if generated {
					fmt.Fprintf(a.stdout, "password: %s\n(shown once; change it after logging in)\n", pw)
				}
				return nil
			},
		}
	})
}

func (a *admin) technicianAdd(ctx context.Context, args []string) error {
	var pw string
	var generated bool
	var r desk.Role
	var grant, revoke desk.Rights
	return a.exec(ctx, "technician add", args, func(fs *flag.FlagSet) step {
		email := fs.String("email", "", "e-mail address (required)")
		name := fs.String("name", "", "display name (required)")
		role := fs.String("role", "technician", "technician, channel_manager, tech_manager or owner")
		groups := fs.String("groups", "", "comma-separated group names")
		g := fs.String("grant", "", "comma-separated rights to add to the role's")
		rv := fs.String("revoke", "", "comma-separated rights to remove from the role's")
		stdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin instead of generating one")
		return step{
			check: func() (err error) {
				if err = required(map[string]*string{"email": email, "name": name})(); err != nil {
					return err
				}
				if r, err = desk.ParseRole(*role); err != nil {
					return usageError(desk.ErrorMessage(err))
				}
				if grant, err = desk.ParseRights(splitList(*g)); err != nil {
					return usageError(desk.ErrorMessage(err))
				}
				if revoke, err = desk.ParseRights(splitList(*rv)); err != nil {
					return usageError(desk.ErrorMessage(err))
				}
				pw, generated, err = a.readPassword(*stdin)
				return err
			},
			run: func(ctx context.Context, svc *desk.Service) error {
				gids, err := groupIDs(ctx, svc, splitList(*groups))
				if err != nil {
					return err
				}
				acct := &desk.Account{Email: *email, Name: *name, Role: r, Grant: grant, Revoke: revoke, GroupIDs: gids, Availability: desk.Away}
				if err := svc.CreateAccount(ctx, system, acct, pw); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "created %s %s (id %d)\n", acct.Role, acct.Email, acct.ID)
				if generated {
					fmt.Fprintf(a.stdout, "password: %s\n(shown once)\n", pw)
				}
				return nil
			},
		}
	})
}

func (a *admin) technicianList(ctx context.Context, args []string) error {
	return a.exec(ctx, "technician list", args, func(fs *flag.FlagSet) step {
		return step{run: func(ctx context.Context, svc *desk.Service) error {
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
			return a.table("ID\tEMAIL\tNAME\tROLE\tGROUPS\tAVAILABILITY\tSTATE", func(w io.Writer) {
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
			})
		}}
	})
}

func (a *admin) technicianDisable(ctx context.Context, args []string) error {
	return a.exec(ctx, "technician disable", args, func(fs *flag.FlagSet) step {
		email := fs.String("email", "", "e-mail address of the technician (required)")
		enable := fs.Bool("enable", false, "enable the account again instead")
		return step{
			check: required(map[string]*string{"email": email}),
			run: func(ctx context.Context, svc *desk.Service) error {
				ids, err := accountIDs(ctx, svc, []string{*email})
				if err != nil {
					return err
				}
				disabled := !*enable
				acct, err := svc.UpdateAccount(ctx, system, ids[0], desk.AccountPatch{Disabled: &disabled})
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "%s is now %s\n", acct.Email, map[bool]string{true: "disabled", false: "enabled"}[disabled])
				return nil
			},
		}
	})
}

func (a *admin) groupAdd(ctx context.Context, args []string) error {
	return a.exec(ctx, "group add", args, func(fs *flag.FlagSet) step {
		name := fs.String("name", "", "group name (required)")
		desc := fs.String("description", "", "what the group is for")
		return step{
			check: required(map[string]*string{"name": name}),
			run: func(ctx context.Context, svc *desk.Service) error {
				g := &desk.Group{Name: *name, Description: *desc}
				if err := svc.CreateGroup(ctx, system, g); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "created group %s (id %d)\n", g.Name, g.ID)
				return nil
			},
		}
	})
}

func (a *admin) groupList(ctx context.Context, args []string) error {
	return a.exec(ctx, "group list", args, func(fs *flag.FlagSet) step {
		return step{run: func(ctx context.Context, svc *desk.Service) error {
			groups, err := svc.ListGroups(ctx, system)
			if err != nil {
				return err
			}
			return a.table("ID\tNAME\tDESCRIPTION", func(w io.Writer) {
				for _, g := range groups {
					fmt.Fprintf(w, "%d\t%s\t%s\n", g.ID, g.Name, g.Description)
				}
			})
		}}
	})
}

func (a *admin) groupDelete(ctx context.Context, args []string) error {
	return a.exec(ctx, "group delete", args, func(fs *flag.FlagSet) step {
		name := fs.String("name", "", "group name (required)")
		return step{
			check: required(map[string]*string{"name": name}),
			run: func(ctx context.Context, svc *desk.Service) error {
				ids, err := groupIDs(ctx, svc, []string{*name})
				if err != nil {
					return err
				}
				if err := svc.DeleteGroup(ctx, system, ids[0]); err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "deleted group %s\n", *name)
				return nil
			},
		}
	})
}

func (a *admin) channelAdd(ctx context.Context, args []string) error {
	return a.exec(ctx, "channel add", args, func(fs *flag.FlagSet) step {
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
		return step{
			check: required(map[string]*string{"name": name}),
			run: func(ctx context.Context, svc *desk.Service) error {
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
			},
		}
	})
}

func (a *admin) channelList(ctx context.Context, args []string) error {
	return a.exec(ctx, "channel list", args, func(fs *flag.FlagSet) step {
		return step{run: func(ctx context.Context, svc *desk.Service) error {
			chans, err := svc.ListChannels(ctx, system)
			if err != nil {
				return err
			}
			return a.table("ID\tNAME\tGROUPS\tSOS\tEXPIRATION\tSLA\tMAX FILE", func(w io.Writer) {
				for _, ch := range chans {
					fmt.Fprintf(w, "%d\t%s\t%v\t%t\t%s\t%s\t%d\n", ch.ID, ch.Name, ch.GroupIDs, ch.AcceptsSOS, ch.Expiration, ch.SLAResponse, ch.MaxFileSize)
				}
			})
		}}
	})
}

func (a *admin) channelDelete(ctx context.Context, args []string) error {
	return a.exec(ctx, "channel delete", args, func(fs *flag.FlagSet) step {
		name := fs.String("name", "", "channel name (required)")
		return step{
			check: required(map[string]*string{"name": name}),
			run: func(ctx context.Context, svc *desk.Service) error {
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
			},
		}
	})
}

func (a *admin) auditVerify(ctx context.Context, args []string) error {
	return a.exec(ctx, "audit verify", args, func(fs *flag.FlagSet) step {
		return step{run: func(ctx context.Context, svc *desk.Service) error {
			n, last, err := svc.VerifyAudit(ctx)
			if err != nil {
				return fmt.Errorf("audit log is NOT intact after %d good records: %s", n, errorText(err))
			}
			fmt.Fprintf(a.stdout, "audit log intact: %d records, last hash %s\n", n, last)
			return nil
		}}
	})
}

func (a *admin) auditExport(ctx context.Context, args []string) error {
	return a.exec(ctx, "audit export", args, func(fs *flag.FlagSet) step {
		return step{run: func(ctx context.Context, svc *desk.Service) error {
			return writeAuditCSV(ctx, a.stdout, svc)
		}}
	})
}

// writeAuditCSV writes every audit record as CSV, in pages, in the same
// format as the API's /audit.csv.
func writeAuditCSV(ctx context.Context, w io.Writer, svc *desk.Service) error {
	cw := csv.NewWriter(w)
	cw.Write(api.AuditCSVHeader)
	f := desk.AuditFilter{Limit: 5000}
	for {
		recs, err := svc.Audit(ctx, system, f)
		if err != nil {
			return err
		}
		for _, r := range recs {
			cw.Write(api.AuditCSVRow(r))
		}
		if len(recs) < f.Limit {
			break
		}
		f.AfterSeq = recs[len(recs)-1].Seq
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
