// The tape's instruction set: the primitives of the symbolic table (one opcode, Call, reads the
// row) plus the cheap special cases a tape wants. Each opcode's value and local partials are written
// once, in Formulas.cs, which the interpreter, the compiled code and the batched blocks call; the
// reverse sweep knows no opcodes. A new member fails the build in the switches that must handle it
// (dispatch, Lift, the listing) and OpCodeFacetTests until every path has its rule.
namespace Hybrid.Tapes;

/// <summary>What one tape instruction computes.</summary>
public enum OpCode : byte
{
    /// <summary>An input variable, in the order given to <see cref="Tape.Lower(Hybrid.Symbolic.Expr, Hybrid.Symbolic.Expr[])"/>.</summary>
    Input,
    /// <summary>A constant (a folded subexpression free of the inputs).</summary>
    Constant,
    /// <summary>Σ w_k·operand_k with constant weights: sums, differences, c·u, and sums of scaled terms in one instruction.</summary>
    Linear,
    /// <summary>(Σ w_k·operand_k)² with constant weights: a squared residual in one instruction, as least-squares objectives are made of.</summary>
    SquaredLinear,
    /// <summary>The product of the operands.</summary>
    Multiply,
    /// <summary>operand². </summary>
    Square,
    /// <summary>1 / operand.</summary>
    Reciprocal,
    /// <summary>√operand; the derivative at 0 is +inf (the power rule's convention).</summary>
    Sqrt,
    /// <summary>operand^c for a constant c (kept in the constant pool).</summary>
    PowConstant,
    /// <summary>base^exponent, both computed.</summary>
    Pow,
    /// <summary>A primitive of the symbolic table (sin, atan2, where, ...), evaluated through its row.</summary>
    Call,
}
