//! `audian-events`: a command-line tool for people building and testing Audian webhook
//! receivers. One verb per job: `validate`, `example`, `fake`, `send`, `replay`.
//!
//! Exit status, for every verb: 0 ok; 1 invalid input (a payload the schemas refuse, an event
//! the receiver finally refused); 2 usage or I/O error (a bad option, a missing file, a URL that
//! does not parse, nothing listening).

mod events;
mod send;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit status: 0 ok; 1 invalid input (a payload the schemas refuse, an event the receiver finally
refused); 2 usage or I/O error (a bad option, a missing file, a bad URL, nothing listening).";

#[derive(Parser)]
#[command(name = "audian-events", version, about = "Validate, print, fake, send and replay Audian webhook events", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check event payloads against the schemas: one event, a JSON array or NDJSON per file.
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// Files to check; `-` or none for standard input. The shape is told from the content
        /// (`.ndjson` and `.jsonl` files are NDJSON).
        files: Vec<String>,
        /// Read tolerantly, as a production receiver does: accept what Audian may add (new
        /// properties, new event types with a valid envelope, new values of open enumerations).
        #[arg(long)]
        tolerant: bool,
        /// `text`: `file:line: /pointer: message [keyword]` lines and a summary per file;
        /// `json`: one JSON document, per file and per payload.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the documented example of an event type.
    #[command(after_help = EXIT_CODES)]
    Example {
        /// The event type, such as `call.completed`.
        #[arg(required_unless_present = "list")]
        event: Option<String>,
        /// Print the event types, one a line, instead.
        #[arg(long, conflicts_with = "event")]
        list: bool,
    },
    /// Print valid events as NDJSON, from the test-data generators of `audian_events::testing`.
    #[command(after_help = EXIT_CODES)]
    Fake {
        /// The event type of every event, such as `call.completed`.
        #[arg(required_unless_present_any = ["any", "lifecycle"], conflicts_with_all = ["any", "lifecycle"])]
        event: Option<String>,
        /// Events of every type, each type as likely as the others.
        #[arg(long, conflicts_with = "lifecycle")]
        any: bool,
        /// Whole calls: COUNT lifecycles, each its events in order, with a call id of its own.
        #[arg(long)]
        lifecycle: bool,
        /// How many events (or lifecycles, with `--lifecycle`).
        #[arg(long, default_value_t = 1)]
        count: usize,
        /// The seed of the generators: the same seed gives the same output. Without it, one from
        /// the clock, printed on standard error.
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Post events to a receiver, as Audian does, with the faults a receiver must survive.
    #[command(after_help = EXIT_CODES)]
    Send(send::SendArgs),
    /// Post captured NDJSON events to a receiver, in timestamp order (or as captured).
    #[command(after_help = EXIT_CODES)]
    Replay {
        /// The NDJSON file (`-` for standard input).
        file: String,
        /// Send them in the order of the file rather than by timestamp.
        #[arg(long)]
        as_captured: bool,
        #[command(flatten)]
        delivery: send::Delivery,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Where the events come from, shared by `send`'s options.
#[derive(Args, Clone, Debug)]
pub struct Sources {
    /// NDJSON files of events (`-` for standard input); a file may also be one event or a JSON
    /// array of events.
    pub files: Vec<PathBuf>,
    /// The documented example of this event type (repeatable).
    #[arg(long = "example", value_name = "EVENT")]
    pub examples: Vec<String>,
    /// `--count` fake events of this type (`any` for every type).
    #[arg(long, value_name = "EVENT")]
    pub fake: Option<String>,
    /// The events of N fake call lifecycles, each call's events in order.
    #[arg(long, value_name = "N")]
    pub lifecycles: Option<usize>,
    /// How many events `--fake` makes.
    #[arg(long, default_value_t = 1)]
    pub count: usize,
}

/// An error that ends a command, with its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    /// A usage or I/O error: exit status 2.
    pub fn usage(message: impl Into<String>) -> Failure {
        Failure { code: 2, message: message.into() }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate { files, tolerant, format } => {
            let reading = if tolerant { audian_events::Reading::Tolerant } else { audian_events::Reading::Strict };
            return validate::main(validate::Options { files: &files, reading, format });
        }
        Command::Example { event, list } => events::example(event.as_deref(), list),
        Command::Fake { event, any, lifecycle, count, seed } => {
            let seed = events::seed_or_clock(seed);
            let kind = if lifecycle {
                events::Fake::Lifecycles
            } else if any {
                events::Fake::Any
            } else {
                match events::event_type(event.as_deref().unwrap_or_default()) {
                    Ok(event_type) => events::Fake::Type(event_type),
                    Err(failure) => return exit(Err(failure)),
                }
            };
            events::print_fake(kind, count, seed)
        }
        Command::Send(args) => send::send(args),
        Command::Replay { file, as_captured, delivery } => send::replay(&file, as_captured, delivery),
    };
    exit(result)
}

fn exit(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("audian-events: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
