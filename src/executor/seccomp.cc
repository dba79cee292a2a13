#include "executor/seccomp.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <iterator>

// Numbers of calls newer than some C libraries' headers: one table for every architecture since
// Linux 5.1 (424 and up), so they are the same on x86_64 and aarch64.
#ifndef __NR_open_tree
#define __NR_open_tree 428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount 429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen 430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig 431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount 432
#endif
#ifndef __NR_fspick
#define __NR_fspick 433
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr 442
#endif
#ifndef __NR_quotactl_fd
#define __NR_quotactl_fd 443
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

namespace lambdalite::executor {

namespace {

#if defined(__x86_64__)
constexpr uint32_t kArch = AUDIT_ARCH_X86_64;
constexpr bool kSupported = true;
constexpr bool kHasX32 = true;
constexpr uint32_t kX32Bit = 0x40000000U;  // __X32_SYSCALL_BIT
#elif defined(__aarch64__)
constexpr uint32_t kArch = AUDIT_ARCH_AARCH64;
constexpr bool kSupported = true;
constexpr bool kHasX32 = false;
constexpr uint32_t kX32Bit = 0;
#else
constexpr uint32_t kArch = 0;
constexpr bool kSupported = false;
constexpr bool kHasX32 = false;
constexpr uint32_t kX32Bit = 0;
#endif

// The low 32 bits of the first argument: every flag checked here lives there.
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr uint32_t kArg0Low = offsetof(struct seccomp_data, args[0]);
#else
constexpr uint32_t kArg0Low = offsetof(struct seccomp_data, args[0]) + 4;
#endif

constexpr uint32_t kNamespaceFlags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                                     CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;

// A tiny assembler: jumps name labels, resolved to the 8-bit relative offsets of classic BPF.
class Program {
 public:
  enum Label : int {
    kAllow,
    kDeny,
    kNoSys,
    kKill,
    kCheckClone,
    kCheckUnshare,
    kCheckPersonality,
    kLabelCount
  };

  Program() { std::fill(std::begin(labels_), std::end(labels_), -1); }

  void Load(uint32_t offset) { Emit(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offset), -1, -1); }
  void Return(uint32_t action) { Emit(BPF_STMT(BPF_RET | BPF_K, action), -1, -1); }
  // if (A op k) goto jt else goto jf; -1 is the next instruction.
  void Jump(uint16_t op, uint32_t k, int jt, int jf) {
    Emit(BPF_JUMP(BPF_JMP | op | BPF_K, k, 0, 0), jt, jf);
  }
  void Bind(Label label) { labels_[label] = static_cast<int>(code_.size()); }

  // The program, or empty if a jump does not fit in 8 bits (a bug: the tests catch it).
  std::vector<sock_filter> Finish() {
    for (size_t i = 0; i < code_.size(); ++i) {
      if (!Resolve(i, jt_[i], &code_[i].jt) || !Resolve(i, jf_[i], &code_[i].jf)) return {};
    }
    return code_;
  }

 private:
  void Emit(sock_filter f, int jt, int jf) {
    code_.push_back(f);
    jt_.push_back(jt);
    jf_.push_back(jf);
  }
  bool Resolve(size_t at, int label, uint8_t* out) const {
    if (label < 0) return true;
    const int target = labels_[label];
    const int offset = target - static_cast<int>(at) - 1;
    if (target < 0 || offset < 0 || offset > 255) return false;
    *out = static_cast<uint8_t>(offset);
    return true;
  }

  std::vector<sock_filter> code_;
  std::vector<int> jt_;
  std::vector<int> jf_;
  int labels_[kLabelCount];
};

}  // namespace

std::vector<sock_filter> BuildSeccompProgram(const SeccompOptions& options) {
  if (!kSupported) return {};
  // Refused with EPERM whatever the options.
  static const int kAlwaysDenied[] = {
      __NR_ptrace,
      __NR_process_vm_readv,
      __NR_process_vm_writev,
      __NR_kcmp,
      __NR_kexec_load,
#ifdef __NR_kexec_file_load
      __NR_kexec_file_load,
#endif
      __NR_reboot,
      __NR_init_module,
      __NR_finit_module,
      __NR_delete_module,
      __NR_swapon,
      __NR_swapoff,
      __NR_quotactl,
      __NR_quotactl_fd,
      __NR_acct,
      __NR_bpf,
      __NR_perf_event_open,
      __NR_userfaultfd,
      __NR_keyctl,
      __NR_add_key,
      __NR_request_key,
      __NR_settimeofday,
      __NR_clock_settime,
      __NR_clock_adjtime,
      __NR_adjtimex,
#ifdef __NR_iopl
      __NR_iopl,
#endif
#ifdef __NR_ioperm
      __NR_ioperm,
#endif
      __NR_lookup_dcookie,
      __NR_syslog,
      __NR_open_by_handle_at,
      __NR_name_to_handle_at,
  };
  // Refused unless user namespaces are allowed (the kernel then confines them to the function's
  // own namespaces).
  static const int kNamespaceDenied[] = {
      __NR_mount,      __NR_umount2,       __NR_pivot_root, __NR_open_tree,
      __NR_move_mount, __NR_fsopen,        __NR_fsconfig,   __NR_fsmount,
      __NR_fspick,     __NR_mount_setattr, __NR_setns,
  };

  Program p;
  p.Load(offsetof(struct seccomp_data, arch));
  p.Jump(BPF_JEQ, kArch, -1, Program::kKill);
  p.Load(offsetof(struct seccomp_data, nr));
  if (kHasX32) p.Jump(BPF_JGE, kX32Bit, Program::kNoSys, -1);
  for (int nr : kAlwaysDenied) p.Jump(BPF_JEQ, static_cast<uint32_t>(nr), Program::kDeny, -1);
  p.Jump(BPF_JEQ, __NR_personality, Program::kCheckPersonality, -1);
  if (!options.allow_user_namespaces) {
    for (int nr : kNamespaceDenied) p.Jump(BPF_JEQ, static_cast<uint32_t>(nr), Program::kDeny, -1);
    p.Jump(BPF_JEQ, __NR_clone3, Program::kNoSys, -1);
    p.Jump(BPF_JEQ, __NR_clone, Program::kCheckClone, -1);
    p.Jump(BPF_JEQ, __NR_unshare, Program::kCheckUnshare, -1);
  }
  p.Return(SECCOMP_RET_ALLOW);

  p.Bind(Program::kCheckPersonality);
  // PER_LINUX, PER_LINUX32, UNAME26, PER_LINUX32|UNAME26 and the query 0xffffffff.
  p.Load(kArg0Low);
  for (uint32_t persona : {0x0U, 0x8U, 0x20000U, 0x20008U, 0xffffffffU}) {
    p.Jump(BPF_JEQ, persona, Program::kAllow, -1);
  }
  p.Return(SECCOMP_RET_ERRNO | EPERM);

  if (!options.allow_user_namespaces) {
    p.Bind(Program::kCheckClone);
    p.Load(kArg0Low);
    p.Jump(BPF_JSET, kNamespaceFlags, Program::kDeny, Program::kAllow);
    p.Bind(Program::kCheckUnshare);
    p.Load(kArg0Low);
    p.Jump(BPF_JSET, kNamespaceFlags | CLONE_NEWTIME, Program::kDeny, Program::kAllow);
  }

  p.Bind(Program::kDeny);
  p.Return(SECCOMP_RET_ERRNO | EPERM);
  p.Bind(Program::kAllow);  // classic BPF jumps only forward: the checks above end here
  p.Return(SECCOMP_RET_ALLOW);
  p.Bind(Program::kNoSys);
  p.Return(SECCOMP_RET_ERRNO | ENOSYS);
  p.Bind(Program::kKill);
  p.Return(SECCOMP_RET_KILL_PROCESS);
  return p.Finish();
}

int InstallSeccompProgram(const sock_fprog& program) {
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) == 0) return 0;
  if (errno != ENOSYS) return errno;
  // Kernels before 3.17 have the filter mode only through prctl.
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) == 0) return 0;
  return errno;
}

}  // namespace lambdalite::executor
