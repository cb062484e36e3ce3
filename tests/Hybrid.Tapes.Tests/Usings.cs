global using Xunit;
global using Hybrid.Tapes;
global using FsCheck;
global using FsCheck.Fluent;
global using FsCheck.Xunit;
global using Hybrid.Numerics;
global using Hybrid.Symbolic;
global using Hybrid.Testing;
global using static Hybrid.Symbolic.Expr;
