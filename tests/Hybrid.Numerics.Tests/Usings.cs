global using Xunit;
global using Hybrid.Symbolic;
global using static Hybrid.Symbolic.Expr;
global using Hybrid.Tapes;
