//! Rust's `dis`: the machine code of a function of this very binary, read at run time from
//! the function's address and decoded (on x86-64 with the `iced-x86` decoder; elsewhere the
//! bytes are printed in hex, undecoded).
//!
//! Each instruction gets a note saying what it does to memory, worked out from its operands
//! and its lock prefix, and the [`Listing`] counts them, so an example can state what the
//! code does from what was decoded rather than from what the compiler is expected to emit.

/// What a decoded function does to memory (stack accesses are not counted).
#[derive(Default)]
pub struct Listing {
    /// Whether the machine code could be decoded on this CPU architecture.
    pub decoded: bool,
    /// Number of instructions listed.
    pub instructions: usize,
    /// Plain loads from memory (`mov reg, [mem]`).
    pub loads: usize,
    /// Plain stores to memory (`mov [mem], reg`).
    pub stores: usize,
    /// Instructions that read, change and write memory without a lock prefix.
    pub unlocked_updates: usize,
    /// Instructions that read, change and write memory as one atomic step (lock prefix,
    /// or `xchg`, which is locked implicitly).
    pub locked_updates: usize,
    /// Calls to other functions.
    pub calls: usize,
    /// Whether the listing stopped at `MAX_INSTRUCTIONS` before the function's end.
    pub capped: bool,
}

/// The most instructions one listing shows.
#[cfg(target_arch = "x86_64")]
const MAX_INSTRUCTIONS: usize = 200;

/// Prints the machine code of the function at `code` (`name` is its Rust name) and returns
/// what it does to memory. `known` names call targets, such as `std::thread::yield_now`.
#[cfg(target_arch = "x86_64")]
pub fn show(name: &str, code: *const u8, known: &[(&str, usize)], max_lines: usize) -> Listing {
    use iced_x86::{
        Decoder, DecoderError, DecoderOptions, Formatter, IntelFormatter, Mnemonic, OpKind,
        Register,
    };

    let start = code as u64;
    let mut listing = Listing { decoded: true, ..Listing::default() };
    let mut formatter = IntelFormatter::new();
    // The furthest forward jump inside the function: a `ret` before it is not the end.
    let mut furthest_target = start;
    let mut offset = 0usize;
    println!("  fn {name} (machine code at {start:#x}, decoded at run time):");
    'instructions: while listing.instructions < MAX_INSTRUCTIONS {
        // Decode from as few bytes as possible, so that nothing past the function's last
        // instruction is ever read: a decode that runs out of bytes needs a longer slice.
        let mut decoded = None;
        for len in 1..=15 {
            // SAFETY: `code` is the address of a function of this binary, whose machine code
            // is mapped readable; `offset` is the end of the instructions decoded so far and
            // the previous, one byte shorter slice ended inside the instruction being
            // decoded, so every byte read belongs to the function's instructions.
            let bytes = unsafe { std::slice::from_raw_parts(code.add(offset), len) };
            let mut decoder =
                Decoder::with_ip(64, bytes, start + offset as u64, DecoderOptions::NONE);
            let instruction = decoder.decode();
            if !instruction.is_invalid() {
                decoded = Some((instruction, bytes));
                break;
            }
            if decoder.last_error() != DecoderError::NoMoreBytes {
                println!("    {offset:#06x}  (not a valid instruction: listing stops)");
                break 'instructions;
            }
        }
        let Some((instruction, bytes)) = decoded else { break };
        listing.instructions += 1;

        let mut text = String::new();
        formatter.format(&instruction, &mut text);
        let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let memory_operand = |i: u32| {
            instruction.op_kind(i) == OpKind::Memory && instruction.memory_base() != Register::RSP
        };
        let writes_memory = instruction.op_count() > 0 && memory_operand(0);
        let reads_memory = instruction.op_count() > 1 && memory_operand(1);
        let mnemonic = instruction.mnemonic();
        let note = match mnemonic {
            Mnemonic::Mov if writes_memory => {
                listing.stores += 1;
                "store to memory".to_string()
            }
            Mnemonic::Mov if reads_memory => {
                listing.loads += 1;
                "load from memory".to_string()
            }
            Mnemonic::Add
            | Mnemonic::Inc
            | Mnemonic::Sub
            | Mnemonic::Dec
            | Mnemonic::Xadd
            | Mnemonic::Xchg
                if writes_memory =>
            {
                if instruction.has_lock_prefix() || mnemonic == Mnemonic::Xchg {
                    listing.locked_updates += 1;
                    "locked: reads, adds and writes memory as one atomic step".to_string()
                } else {
                    listing.unlocked_updates += 1;
                    "reads, adds and writes memory, with no lock prefix: not atomic".to_string()
                }
            }
            Mnemonic::Add | Mnemonic::Inc if instruction.op0_register() != Register::RSP => {
                "add in a register".to_string()
            }
            Mnemonic::Call => {
                listing.calls += 1;
                let target = if instruction.op_kind(0) == OpKind::Memory
                    && instruction.memory_base() == Register::RIP
                {
                    // SAFETY: a call through a RIP-relative memory operand reads its target
                    // from that address (a GOT slot of this binary), so it is readable.
                    unsafe {
                        std::ptr::read_unaligned(instruction.ip_rel_memory_address() as *const usize)
                    }
                } else {
                    instruction.near_branch_target() as usize
                };
                match known.iter().find(|(_, address)| *address == target) {
                    Some((callee, _)) => format!("call {callee}"),
                    None => "call".to_string(),
                }
            }
            _ => String::new(),
        };
        if listing.instructions <= max_lines {
            println!("    {offset:#06x}  {:<21} {text:<28} {note}", hex.join(" "));
        }

        offset += instruction.len();
        let target = instruction.near_branch_target();
        if target > furthest_target && target < start + 4096 {
            furthest_target = target;
        }
        let ends_a_path =
            matches!(mnemonic, Mnemonic::Ret | Mnemonic::Jmp | Mnemonic::Ud2 | Mnemonic::Int3);
        if ends_a_path && start + offset as u64 > furthest_target {
            break;
        }
        listing.capped = listing.instructions == MAX_INSTRUCTIONS;
    }
    if listing.instructions > max_lines {
        println!("    ... ({} more instructions not shown)", listing.instructions - max_lines);
    }
    listing
}

/// Prints the machine code of the function at `code` in hex, undecoded: on AArch64 its
/// 32-bit instruction words up to the first `ret`, elsewhere its first 4 bytes.
#[cfg(not(target_arch = "x86_64"))]
pub fn show(name: &str, code: *const u8, _known: &[(&str, usize)], max_lines: usize) -> Listing {
    println!("  fn {name} (machine code at {:#x}):", code as usize);
    let mut words = Vec::new();
    if cfg!(target_arch = "aarch64") {
        const RET: u32 = 0xd65f_03c0;
        for i in 0..max_lines.min(64) {
            // SAFETY: `code` is the address of a function of this binary, whose machine code
            // is mapped readable and 4-byte aligned on AArch64; reading stops at its `ret`.
            let word = unsafe { std::ptr::read(code.cast::<u32>().add(i)) };
            words.push(format!("{word:08x}"));
            if word == RET {
                break;
            }
        }
    } else {
        // SAFETY: `code` is the address of a function of this binary, whose machine code is
        // mapped readable; every function is at least 4 bytes long (its body and return).
        let bytes = unsafe { std::slice::from_raw_parts(code, 4) };
        words.extend(bytes.iter().map(|b| format!("{b:02x}")));
    }
    println!("    {}", words.join(" "));
    println!(
        "    (not decoded: this example decodes x86-64 machine code only, and this is {})",
        std::env::consts::ARCH
    );
    Listing::default()
}

/// A one-line verdict on what `listing` shows about memory, computed from its counts.
pub fn verdict(listing: &Listing) -> String {
    if !listing.decoded {
        return "not decoded on this CPU architecture: nothing to conclude".to_string();
    }
    let mut parts = Vec::new();
    if listing.loads > 0 || listing.stores > 0 {
        parts.push(format!("{} load(s) and {} store(s)", listing.loads, listing.stores));
    }
    if listing.unlocked_updates > 0 {
        parts.push(format!("{} unlocked read-add-write(s)", listing.unlocked_updates));
    }
    if listing.locked_updates > 0 {
        parts.push(format!("{} locked read-add-write(s)", listing.locked_updates));
    }
    if listing.calls > 0 {
        parts.push(format!("{} call(s)", listing.calls));
    }
    let what = if parts.is_empty() { "no memory access".to_string() } else { parts.join(", ") };
    let atomic = if listing.locked_updates > 0 && listing.loads + listing.stores == 0 {
        "one atomic step"
    } else if listing.locked_updates == 0
        && listing.loads + listing.stores + listing.unlocked_updates > 0
    {
        "not atomic: another core can write between the read and the write"
    } else {
        "see the listing"
    };
    let debug = if cfg!(debug_assertions) {
        " (a debug build: calls are not inlined, run with --release to see the optimised code)"
    } else {
        ""
    };
    let more = if listing.capped { "+ (listing cut short)" } else { "" };
    format!("{}{more} instruction(s): {what} -> {atomic}{debug}", listing.instructions)
}
