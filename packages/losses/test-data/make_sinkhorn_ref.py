"""Reference Sinkhorn-Knopp teacher targets for @tips/losses tests.

Why this file exists: /work/shared/fixtures/losses/dino_dev.npz `sinkhorn_targets` is all NaN, because
DINOv2's `sinkhorn_knopp_teacher` computes exp(teacher / 0.07) in float32 and the fixture's teacher
logits reach 8.5 (exp(121) overflows float32). Here the same algorithm (written out from DINOv2's
dinov2/loss/dino_clstoken_loss.py, single process) is run
  * in float64 on the fixture's teacher (temp 0.07, 3 iterations)                -> `f64_targets`
  * in float64 with 50 iterations                                                 -> `f64_targets_50`
  * in float64 on a subset of rows (the iBOT masked-token case)                   -> `f64_masked_targets`
  * in float32 with torch, exactly as DINOv2 does, on teacher / 10 (no overflow)  -> `torch_f32_targets`
Run: /usr/bin/python3 make_sinkhorn_ref.py   (numpy + torch; writes sinkhorn_ref.npz next to it)
"""
import os
import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
fix = os.environ.get('TIPS_FIXTURES', os.path.join(here, '..', '..', '..', '..', 'shared', 'fixtures'))
teacher = np.load(os.path.join(fix, 'losses', 'dino_dev.npz'))['teacher']  # [4, 32] float32


def sinkhorn_dinov2(teacher_output, teacher_temp, n_iterations):
    """DINOv2 DINOLoss.sinkhorn_knopp_teacher with world_size = 1 (works for torch float32/64)."""
    Q = torch.exp(teacher_output / teacher_temp).t()  # K x B
    B = Q.shape[1]
    K = Q.shape[0]
    Q /= torch.sum(Q)
    for _ in range(n_iterations):
        Q /= torch.sum(Q, dim=1, keepdim=True)
        Q /= K
        Q /= torch.sum(Q, dim=0, keepdim=True)
        Q /= B
    Q *= B
    return Q.t()


t64 = torch.from_numpy(teacher.astype(np.float64))
f64 = sinkhorn_dinov2(t64.clone(), 0.07, 3).numpy()
f64_50 = sinkhorn_dinov2(t64.clone(), 0.07, 50).numpy()
rows = np.array([0, 2, 3])
mask = np.zeros(4, dtype=bool)
mask[rows] = True
masked = np.zeros_like(f64)
masked[rows] = sinkhorn_dinov2(t64[rows].clone(), 0.07, 3).numpy()
small = (teacher / 10).astype(np.float32)
torch32 = sinkhorn_dinov2(torch.from_numpy(small.copy()), 0.07, 3).numpy()
assert np.isfinite(f64).all() and np.isfinite(torch32).all()

np.savez(
    os.path.join(here, 'sinkhorn_ref.npz'),
    teacher=teacher,
    f64_targets=f64.astype(np.float32),
    f64_targets_50=f64_50.astype(np.float32),
    mask=mask,
    f64_masked_targets=masked.astype(np.float32),
    teacher_small=small,
    torch_f32_targets=torch32.astype(np.float32),
)
print('wrote sinkhorn_ref.npz', f64.sum(1), f64_50.sum(0))
