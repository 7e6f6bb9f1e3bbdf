import { mark } from "./bench";
import { askEarly } from "./startup";
import { createRoot } from "react-dom/client";
import { App } from "./components/App";
import "./style.css";

mark("script");
askEarly();
createRoot(document.getElementById("root")!).render(<App />);
