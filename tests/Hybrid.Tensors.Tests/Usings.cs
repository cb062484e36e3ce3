global using Xunit;
global using Hybrid.Tapes;
global using Hybrid.Tensors;
