/* A stand-in for Windows' bcryptprimitives.dll, for running the Windows test suite under
 * Wine 8, which lacks it. Rust's std (1.78+) gets its random seeds from ProcessPrng in that
 * DLL, so without it no Rust program starts. This one fills the buffer from RtlGenRandom
 * (exported by advapi32 as SystemFunction036), which Wine has. .ci/run builds it with
 * mingw-w64 into the Wine prefix's system32. Not for real Windows, which has the real one. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
