"""A general einops-style Rearrange (pattern "lhs -> rhs", grouped axes in
parentheses, named lengths as keyword arguments), written from einops'
documented semantics: split every input axis into its elementary axes,
permute them to the output order, merge the output groups. Used only because
einops cannot be installed here; make_transformer.py checks it against
torch's own unfold."""
import math

import torch


def _parse(side):
    groups, cur, depth = [], None, False
    for tok in side.replace("(", " ( ").replace(")", " ) ").split():
        if tok == "(":
            depth, cur = True, []
        elif tok == ")":
            groups.append(cur)
            depth, cur = False, None
        elif depth:
            cur.append(tok)
        else:
            groups.append([tok])
    return groups


class Rearrange(torch.nn.Module):
    def __init__(self, pattern, **lengths):
        super().__init__()
        lhs, rhs = pattern.split("->")
        self.lhs, self.rhs, self.lengths = _parse(lhs), _parse(rhs), dict(lengths)

    def forward(self, x):
        if x.dim() != len(self.lhs):
            raise ValueError("rank mismatch")
        sizes = dict(self.lengths)
        elem_shape, order = [], []
        for group, n in zip(self.lhs, x.shape):
            unknown = [a for a in group if a not in sizes]
            known = math.prod(sizes[a] for a in group if a in sizes)
            if len(unknown) > 1:
                raise ValueError("cannot infer")
            if unknown:
                if n % known:
                    raise ValueError("shape mismatch")
                sizes[unknown[0]] = n // known
            elif known != n:
                raise ValueError("shape mismatch")
            for a in group:
                elem_shape.append(sizes[a])
                order.append(a)
        y = x.reshape(elem_shape)
        out_axes = [a for g in self.rhs for a in g]
        y = y.permute([order.index(a) for a in out_axes])
        return y.reshape([math.prod(sizes[a] for a in g) for g in self.rhs])
